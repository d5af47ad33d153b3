"""Calendar feed URLs: each public page's address with `calendar.ics` added, and the picks."""

from django.urls import path

from program import feeds

app_name = "feeds"

urlpatterns = [
    path("picks/<str:token>.ics", feeds.picks_feed, name="picks"),
    path("speakers/<slug:slug>/calendar.ics", feeds.speaker_feed, name="speaker"),
    path("<slug:slug>/calendar.ics", feeds.conference_feed, name="conference"),
    path(
        "<slug:conference_slug>/sessions/<int:number>/calendar.ics",
        feeds.session_feed,
        name="session",
    ),
    path("<slug:conference_slug>/talks/<slug:slug>/calendar.ics", feeds.talk_feed, name="talk"),
]
