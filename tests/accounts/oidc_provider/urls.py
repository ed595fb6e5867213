from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import SignedUserInfoView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="provider_login.html"), name="login"),
    path("signed/userinfo/", SignedUserInfoView.as_view(), name="signed-userinfo"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
