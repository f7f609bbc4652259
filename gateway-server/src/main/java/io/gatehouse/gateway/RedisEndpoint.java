package io.gatehouse.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * Where a Redis shared by replicas lives (the counters, the external cache):
 * {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS, as Redis clients write it.
 * Its {@link #toString()} never shows the password, so it can go into logs and messages.
 *
 * @param tls      whether the connection uses TLS ({@code rediss://})
 * @param host     host name or address (an IPv6 address without brackets)
 * @param port     port, 6379 unless given
 * @param user     ACL user, empty for the default user
 * @param password password, empty for none
 * @param database database number, 0 unless given
 */
record RedisEndpoint(boolean tls, String host, int port, String user, String password, int database) {

    private static final int DEFAULT_PORT = 6379;

    /**
     * Reads a Redis URL. Messages never repeat the URL, which may carry a password.
     *
     * @param url the URL
     * @return the endpoint
     * @throws IllegalArgumentException saying what is wrong
     */
    static RedisEndpoint parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL (percent-encode special characters in the password, "
                                                       + "such as %40 for @)");
        }
        String scheme = Optional.ofNullable(uri.getScheme()).orElse("");
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("must start with redis:// or rediss:// (TLS)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("must name a host: redis://host:6379");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("takes no query or fragment (percent-encode '?' and '#' in the password)");
        }
        String user = "";
        String password = "";
        String userInfo = uri.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("has a user but no password: redis://user:password@host, or "
                                                           + "redis://:password@host for the default user");
            }
            user = userInfo.substring(0, colon);
            password = userInfo.substring(colon + 1);
        }
        int database = 0;
        String path = Optional.ofNullable(uri.getPath()).orElse("");
        if (!path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                database = -1;
            }
            if (database < 0) {
                throw new IllegalArgumentException("has a path that is not a database number: redis://host:6379/0");
            }
        }
        return new RedisEndpoint(scheme.equals("rediss"), host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user,
                                 password, database);
    }

    /**
     * A pooled client for this endpoint.
     *
     * @param timeout  connect and read timeout of one call, and the longest wait for a pooled connection
     * @param poolSize connections kept at most
     * @return the client; close it to close its connections
     */
    RedisClient client(Duration timeout, int poolSize) {
        int millis = (int) timeout.toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .database(database)
                .clientName("gatehouse");
        if (tls) {
            // The server's certificate and host name are checked against the JVM's trust store.
            config.sslOptions(SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL).build());
        }
        if (!password.isEmpty()) {
            config.password(password);
            if (!user.isEmpty()) {
                config.user(user);
            }
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(0);
        pool.setMaxWait(timeout);
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(host, port)
                .clientConfig(config.build())
                .poolConfig(pool)
                .build();
    }

    /** @return the URL with the password replaced by {@code ***} */
    @Override
    public String toString() {
        String credentials = password.isEmpty() ? "" : user + ":***@";
        String address = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss" : "redis") + "://" + credentials + address + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
