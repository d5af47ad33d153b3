from django.urls import path

from program import views

app_name = "program"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
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
