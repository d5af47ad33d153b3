"""The public change log: the Changes page and its Atom feed, newest first."""

import xml.etree.ElementTree as ET

from django.urls import reverse

from program.models import Session, Talk

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_reference_program_has_one_entry(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    changes = reverse("program:changes", kwargs={"slug": "opml20"})
    assert f'href="{changes}"' in html
    page = client.get(changes).content.decode()
    assert "OpML &#x27;20 Conference Program published." in page or (
        "OpML '20 Conference Program published." in page
    )
    assert page.count('<li id="change-') == 1


def test_changes_page_and_atom_feed_list_changes_newest_first(client, opml20):
    talk = Talk.objects.filter(session__conference=opml20).first()
    talk.title = "A clearer title"
    talk.save()
    session = Session.objects.get(conference=opml20, number=8)
    session.is_published = False
    session.save()
    page = client.get(reverse("program:changes", kwargs={"slug": "opml20"})).content.decode()
    assert page.index("Session withdrawn") < page.index("A clearer title")
    feed = client.get(reverse("program:changes_feed", kwargs={"slug": "opml20"}))
    assert feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    withdrawn = next(
        i for i, t in enumerate(titles) if t.startswith("Session withdrawn: “Session 8")
    )
    retitled = next(i for i, t in enumerate(titles) if "A clearer title" in t)
    assert withdrawn < retitled
    assert titles[-1] == "OpML '20 Conference Program published."
    ids = [entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids)


def test_a_draft_conference_has_no_change_log(client, opml20):
    opml20.is_published = False
    opml20.save()
    assert client.get(reverse("program:changes", kwargs={"slug": "opml20"})).status_code == 404
