import pytest
from django.core.management import call_command

from program.models import Conference, Session


@pytest.mark.django_db
def test_loads_once_and_never_overwrites_edits(capsys):
    call_command("load_reference_program", verbosity=0)
    assert Conference.objects.get(slug="opml20").sessions.count() == 8
    Session.objects.filter(number=1).update(title="Renamed by the committee")
    call_command("load_reference_program")
    assert "already loaded" in capsys.readouterr().out
    assert Session.objects.get(number=1).title == "Renamed by the committee"
