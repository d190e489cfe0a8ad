"""The OpenAPI description: every operation also documents the errors it can answer, each
with the one JSON shape of ``api.exceptions`` (so that a client, and schemathesis, can rely
on it)."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

from api.serializers import ErrorSerializer

ERRORS = {
    "400": "Invalid input: the service's message, field by field.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Nothing here, or nothing this user may see.",
    "405": "This address does not take this method.",
    "406": "Only JSON is served.",
    "409": "Someone else changed it first.",
    "415": "The body must be JSON.",
    "429": "Too many requests (per user): try again after Retry-After seconds.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code] = {**response, "description": description}
        return responses
