from django.urls import path

from program import changes, filtered_feed, picks, views

app_name = "program"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
    path("picks/", views.my_picks, name="picks"),
    path("picks/lists/", picks.lists_endpoint, name="picks_lists"),
    path("picks/lists/<slug:feed>/", picks.list_endpoint, name="picks_list"),
    path("picks/<slug:feed>/", views.PickListDetailView.as_view(), name="picks_detail"),
    path("<slug:slug>/", views.ConferenceDetailView.as_view(), name="conference_detail"),
    path("<slug:slug>/sessions/", views.SessionListView.as_view(), name="session_list"),
    path(
        "<slug:slug>/embed/",
        views.frameable_by_embed_origins(views.ConferenceEmbedView.as_view()),
        name="conference_embed",
    ),
    path("<slug:slug>/speakers/", views.ConferenceSpeakerListView.as_view(), name="speaker_list"),
    # frab / c3voc schedule exports
    path("<slug:conference_slug>/schedule.xml", views.schedule_xml, name="schedule_xml"),
    path("<slug:conference_slug>/schedule.json", views.schedule_json, name="schedule_json"),
    path(
        "<slug:slug>/selection.ics",
        filtered_feed.filtered_conference_feed,
        name="filtered_calendar",
    ),
    path("<slug:slug>/print.css", views.print_stylesheet, name="print_css"),
    path("<slug:slug>/changes/", changes.ChangeLogView.as_view(), name="changes"),
    path("<slug:slug>/changes.atom", changes.ChangeLogFeed(), name="changes_feed"),
    path(
        "<slug:conference_slug>/sessions/<int:number>/",
        views.SessionDetailView.as_view(),
        name="session_detail",
    ),
    path(
        "<slug:conference_slug>/talks/<slug:slug>/",
        views.TalkDetailView.as_view(),
        name="talk_detail",
    ),
]
