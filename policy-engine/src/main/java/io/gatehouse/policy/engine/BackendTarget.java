package io.gatehouse.policy.engine;

import java.net.URI;

/**
 * Where a backend call goes: the backend's base URL as configured (already parsed, once per API) and the raw path
 * and query to append to it. Kept apart so the hot path never parses a URL per request; {@link #toUri()} builds the
 * full URL for the callers that need one.
 *
 * @param base          the backend base URL (its own query, if any, is ignored)
 * @param rawPathAndQuery the raw path within the API, then {@code ?} and the raw query if there is one
 */
public record BackendTarget(URI base, String rawPathAndQuery) {

    /** @return the raw path the backend is sent: the base URL's path without a trailing slash, then the path within the API */
    public String requestTarget() {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        String target = basePath + rawPathAndQuery;
        return target.isEmpty() || target.charAt(0) == '?' ? "/" + target : target;
    }

    /** @return the full URL, parsed */
    public URI toUri() {
        String authority = base.getRawAuthority() == null ? "" : base.getRawAuthority();
        return URI.create(base.getScheme() + "://" + authority + requestTarget());
    }

    @Override
    public String toString() {
        return base.getScheme() + "://" + base.getRawAuthority() + requestTarget();
    }
}
