package io.gatehouse.policy.spi;

/**
 * A request URL as APIM's {@code IUrl}: scheme, host, port, path and query string.
 *
 * @param scheme   {@code http} or {@code https}
 * @param host     the host, without port
 * @param port     the port
 * @param path     the raw (percent-encoded) path, starting with {@code /}
 * @param rawQuery the raw query string without {@code ?}; empty when there is none
 */
public record Url(String scheme, String host, int port, String path, String rawQuery) {

    /**
     * The query string as APIM's {@code Url.QueryString}: {@code ?} and the raw query, or empty.
     *
     * @return the query string with its {@code ?}, or an empty string
     */
    public String queryString() {
        return rawQuery.isEmpty() ? "" : "?" + rawQuery;
    }

    @Override
    public String toString() {
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path + queryString();
    }
}
