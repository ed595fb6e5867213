"""A person's browser going through the OpenID Connect sign-in, with a real HTTP client (requests, its
cookie jar) against the application's live server and the local provider. Each step is one request,
so that a test can tamper with what the provider or the application receives."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from .provider import PASSWORD, Provider


def with_query(url: str, **changes) -> str:
    """`url` with query parameters replaced (a value None removes the parameter)."""
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def to_provider(session: requests.Session, app_url: str, next_url: str = "") -> str:
    """Press the SSO button: the provider's authorization address the application sends the person to."""
    response = session.get(
        f"{app_url}/connexion/sso/", params={"next": next_url} if next_url else None, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def at_provider(session: requests.Session, provider: Provider, authorize_url: str, username: str) -> str:
    """Sign in at the provider: the application's callback address (with code and state) it sends back."""
    response = session.get(authorize_url, allow_redirects=False)
    if response.status_code == 302 and "/login/" in response.headers["Location"]:
        login_url = provider.url + response.headers["Location"]
        session.get(login_url)
        form = {
            "username": username,
            "password": PASSWORD,
            "next": parse_qs(urlsplit(login_url).query)["next"][0],
            "csrfmiddlewaretoken": session.cookies.get("provider_csrftoken"),
        }
        response = session.post(login_url, data=form, allow_redirects=False)
        assert response.status_code == 302, response.text
        response = session.get(provider.url + response.headers["Location"], allow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def sign_in(session: requests.Session, app_url: str, provider: Provider, username: str, next_url: str = ""):
    """The whole sign-in; the application's last answer (redirects followed)."""
    callback = at_provider(session, provider, to_provider(session, app_url, next_url), username)
    return session.get(callback)
