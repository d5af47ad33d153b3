"""The JSON API's URLs, under /api/ (docs/integrators/api.md): an index of the endpoints, the
endpoints, the OpenAPI schema and its doc page."""

from django.urls import path
from django.views.generic import TemplateView
from rest_framework.routers import DefaultRouter

from program import api

app_name = "api"

router = DefaultRouter()
router.register("conferences", api.ConferenceViewSet, basename="conference")
router.register("days", api.DayViewSet, basename="day")
router.register("sessions", api.SessionViewSet, basename="session")
router.register("talks", api.TalkViewSet, basename="talk")
router.register("speakers", api.SpeakerViewSet, basename="speaker")
router.register("organisations", api.OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("schema/", api.SchemaView.as_view(), name="schema"),
    path("docs/", TemplateView.as_view(template_name="api/docs.html"), name="docs"),
    *router.urls,
]
