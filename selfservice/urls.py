from django.urls import path

from selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("speaker-page/", views.speaker_page, name="page"),
    path("speaker-page/open/", views.open_link, name="open"),
    path("speaker-page/leave/", views.leave, name="leave"),
]
