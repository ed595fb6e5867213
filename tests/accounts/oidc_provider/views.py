import json

from django.http import HttpResponse
from jwcrypto import jwk, jwt
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.oidc import UserInfoView


class SignedUserInfoView(UserInfoView):
    """The userinfo answer signed as a JWT (`application/jwt`), as ProConnect sends it."""

    def _create_userinfo_response(self, request):
        url, headers, body, status = self.create_userinfo_response(request)
        if status != 200:
            return HttpResponse(content=body or "", status=status)
        key = jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode())
        token = jwt.JWT(header={"alg": "RS256", "kid": key.thumbprint()}, claims=json.loads(body))
        token.make_signed_token(key)
        return HttpResponse(content=token.serialize(), content_type="application/jwt")
