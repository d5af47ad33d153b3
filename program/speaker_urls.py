"""URLs of the pages of people and organisations, under their own namespace ("speakers")."""

from django.urls import path

from program import views

app_name = "speakers"

urlpatterns = [
    path("speakers/", views.SpeakerListView.as_view(), name="speaker_list"),
    path("affiliations/", views.AffiliationListView.as_view(), name="affiliation_list"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker_detail"),
    path(
        "affiliations/<slug:slug>/",
        views.AffiliationDetailView.as_view(),
        name="affiliation_detail",
    ),
]
