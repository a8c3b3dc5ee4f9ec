"""Site-wide infrastructure every app may use: the page cache, the origin
check, what logs may hold, request bodies refused from their headers,
resource policy, error pages, the health check and the admin site. None of
it imports an app."""
