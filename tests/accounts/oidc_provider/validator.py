from oauth2_provider.oauth2_validators import OAuth2Validator

UNVERIFIED_PREFIX = "non-verifie"


class Validator(OAuth2Validator):
    """The claims of the provider's users: e-mail and names; an e-mail is said verified unless the
    username starts with "non-verifie" (the tests' person whose address the provider never checked)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.username.startswith(UNVERIFIED_PREFIX),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
