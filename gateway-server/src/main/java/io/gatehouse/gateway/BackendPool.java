package io.gatehouse.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keep-alive connections to plain-HTTP backends, per origin (host and port). Idle connections are reused most
 * recently used first, so a steady load keeps a small warm set; connections idle longer than {@link #IDLE_LIMIT}
 * are closed rather than reused, because backends close idle keep-alive connections on their own schedule (Node.js
 * after 5 s, nginx after 75 s) and a request sent on a connection the backend has just closed fails. A request that
 * fails that way anyway is retried once on a new connection by {@link HttpForwarder} when it is safe to.
 */
final class BackendPool implements AutoCloseable {

    /** Connections idle longer than this are not reused: shorter than the common backends' keep-alive timeouts. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(4);
    private static final long IDLE_LIMIT_NANOS = IDLE_LIMIT.toNanos();
    /** How often overdue backend reads and writes are looked for. */
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(20);

    private final ConcurrentHashMap<OriginKey, Origin> origins = new ConcurrentHashMap<>();
    private final int maxIdlePerOrigin;
    private final int connectTimeoutMillis;
    /** Every open connection, idle or busy, for the sweeper to check. */
    private final Set<BackendConnection> open = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean closed;

    BackendPool(Duration connectTimeout, int maxIdlePerOrigin) {
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.sweeper = Thread.ofPlatform().daemon().name("gatehouse-backend-timeouts").start(this::sweep);
    }

    /**
     * Enforces the per-operation timeouts of {@link BackendConnection}: every {@link #SWEEP_INTERVAL}, an overdue
     * read or write has its connection closed, which fails it with a timeout. Timeouts fire up to one interval late.
     */
    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(SWEEP_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (BackendConnection c : open) {
                c.expireIfOverdue(now);
            }
        }
    }

    /** Forgets a connection that closed. */
    void closed(BackendConnection c) {
        open.remove(c);
    }

    /** An origin's key: no string built per request, and the host's hash is the string's cached one. */
    private record OriginKey(String host, int port) {
    }

    /**
     * One backend host and port, and its idle connections, most recently used first. A plain deque under a lock: it
     * is held for a few field writes, and in the profile a ConcurrentLinkedDeque (node per offer, unlinking on poll)
     * cost several times as much. A lock, not {@code synchronized}: on JDK 21 a virtual thread waiting for a monitor
     * holds its carrier.
     */
    static final class Origin {
        private final String host;
        private final int port;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();

        private Origin(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** @return the most recently used idle connection, or null */
        private BackendConnection takeNewest() {
            lock.lock();
            try {
                return idle.pollFirst();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Parks a connection as the newest idle one.
         *
         * @return false if there are already {@code max} idle connections
         */
        private boolean offer(BackendConnection c, int max) {
            lock.lock();
            try {
                if (idle.size() >= max) {
                    return false;
                }
                idle.offerFirst(c);
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** @return the least recently used idle connection, removed, if it has been idle for {@link #IDLE_LIMIT}; else null */
        private BackendConnection takeOldestIdleSince(long now) {
            lock.lock();
            try {
                BackendConnection oldest = idle.peekLast();
                if (oldest != null && now - oldest.idleSince >= IDLE_LIMIT_NANOS) {
                    return idle.pollLast();
                }
                return null;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * A connection to {@code host:port}: an idle one if there is a fresh one, else a new one.
     *
     * @param host host
     * @param port port
     * @return a connection for one request
     * @throws IOException if a new connection cannot be made
     */
    BackendConnection acquire(String host, int port) throws IOException {
        Origin origin = origins.computeIfAbsent(new OriginKey(host, port), k -> new Origin(host, port));
        long now = System.nanoTime();
        BackendConnection c;
        while ((c = origin.takeNewest()) != null) {
            if (now - c.idleSince < IDLE_LIMIT_NANOS && c.isReusable()) {
                return c;
            }
            c.close();
        }
        return connect(origin);
    }

    /**
     * A new connection, never a pooled one: for the retry after a pooled connection turned out closed.
     *
     * @param origin where
     * @return a connection
     * @throws IOException if it cannot be made
     */
    BackendConnection fresh(Origin origin) throws IOException {
        return connect(origin);
    }

    private BackendConnection connect(Origin origin) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(origin.host, origin.port), connectTimeoutMillis);
            BackendConnection c = new BackendConnection(this, origin, socket);
            open.add(c);
            return c;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Takes a connection back after a complete exchange. */
    void release(BackendConnection c) {
        Origin origin = c.origin();
        long now = System.nanoTime();
        c.idleSince = now;
        if (closed || !origin.offer(c, maxIdlePerOrigin)) {
            c.close();
            return;
        }
        // The least recently used connection sits at the tail; once it is too old nobody will take it, so close it
        // here rather than leave the socket to the backend's timeout.
        BackendConnection oldest = origin.takeOldestIdleSince(now);
        if (oldest != null) {
            oldest.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        for (Origin origin : origins.values()) {
            BackendConnection c;
            while ((c = origin.takeNewest()) != null) {
                c.close();
            }
        }
    }
}
