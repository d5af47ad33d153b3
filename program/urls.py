from django.urls import path

from program import picks, views

app_name = "program"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
    path("picks/", views.my_picks, name="picks"),
    path("picks/lists/", picks.lists_endpoint, name="picks_lists"),
    path("picks/lists/<slug:feed>/", picks.list_endpoint, name="picks_list"),
    path("picks/<slug:feed>/", views.PickListDetailView.as_view(), name="picks_detail"),
    path("<slug:slug>/", views.ConferenceDetailView.as_view(), name="conference_detail"),
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
