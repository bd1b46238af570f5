"""The project's stand-in for toolforge-weld, the HTTP client library of Toolforge's APIs.

The Components API imports two names from it. The real library authenticates with the
cluster's client certificates, which a test machine does not have; this one talks plain
HTTP to the stand-in build and jobs services and otherwise behaves the same for the
runtime: it joins server and path, raises requests.HTTPError on 4xx and 5xx (the runtime
reads error.response) and returns the decoded JSON.
"""
