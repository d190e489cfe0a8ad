"""Per-user request limits; the rates are read from settings at each request (``API_USER_RATE``,
``API_ANON_RATE``), so a deployment (or a test) changes them without restarting DRF."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from project.security import client_ip


class UserThrottle(UserRateThrottle):
    """Each signed-in user's (or token's owner's) requests; anonymous callers are AnonThrottle's."""

    def get_rate(self):
        return settings.API_USER_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class AnonThrottle(AnonRateThrottle):
    """Anonymous callers (the public verification), per address as django-axes counts it
    (behind the proxy, the address the proxy saw)."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_rate(self):
        return settings.API_ANON_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
