from django.urls import path

from program import changes, views

app_name = "program"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
    path("<slug:slug>/", views.ConferenceDetailView.as_view(), name="conference_detail"),
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
