package io.gatehouse.gateway;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection to a backend, used by one request at a time and kept alive between requests by
 * {@link BackendPool}. It writes a request head (and a small body) in one socket write, parses the response head
 * from its own read buffer, and hands the body out as a stream framed by {@code Content-Length}, chunked coding or
 * the end of the connection (RFC 9112 §6.3). When that stream has been read to its end the connection goes back to
 * the pool; a stream closed early, a framing error or {@code Connection: close} closes the socket instead, so a
 * pooled connection is always at a message boundary.
 */
final class BackendConnection implements Closeable {

    /** Largest response head accepted (status line and headers), as Helidon's and nginx's default limits. */
    static final int MAX_HEAD = 64 * 1024;
    private static final int BUFFER = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    /** The characters of an HTTP token (RFC 9110 §5.6.2), by ASCII code. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private final BackendPool pool;
    private final BackendPool.Origin origin;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    private byte[] head = new byte[2048];
    private int headLength;
    private boolean reused;
    private boolean received;
    private volatile boolean closed;
    private long timeoutNanos = Long.MAX_VALUE;
    /** When the blocking read or write under way must have finished (System.nanoTime), or 0 when none is. */
    private volatile long deadline;
    private volatile boolean expired;
    long idleSince;

    BackendConnection(BackendPool pool, BackendPool.Origin origin, Socket socket) throws IOException {
        this.pool = pool;
        this.origin = origin;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    BackendPool.Origin origin() {
        return origin;
    }

    /** @return whether this connection served a request before this one (so the backend may have closed it) */
    boolean reused() {
        return reused;
    }

    /** @return whether any byte of the current response arrived */
    boolean received() {
        return received;
    }

    boolean isOpen() {
        return !closed && !socket.isClosed();
    }

    /**
     * Whether a pooled connection can take the next request: open, and nothing arrived while it was idle. A backend
     * that sends a body after a HEAD's head, or more than its Content-Length, in a later segment would otherwise have
     * those bytes read as the next request's response (nginx closes an idle upstream connection that gets data).
     */
    boolean isReusable() {
        if (!isOpen()) {
            return false;
        }
        try {
            return in.available() == 0;
        } catch (IOException e) {
            return false; // a socket that cannot say is not one to reuse; the pool closes it
        }
    }

    /**
     * Marks the start of a new exchange on this connection: from now on each blocking read or write that takes longer
     * than {@code timeoutMillis} fails with a {@link SocketTimeoutException}.
     *
     * <p>The bound is kept by {@link BackendPool}'s sweeper, which closes a connection whose operation is overdue,
     * rather than by {@code SO_TIMEOUT}: a socket timeout makes every read a timed park of the virtual thread, and on
     * JDK 25 that timer cost about a sixth of the gateway's CPU per request in {@code ./gatehouse bench}.
     */
    void begin(int timeoutMillis) {
        received = false;
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Called by the pool's sweeper: closes the connection if its operation under way is overdue. */
    void expireIfOverdue(long now) {
        long d = deadline;
        if (d != 0 && now - d > 0) {
            expired = true;
            close();
        }
    }

    private void arm() {
        long d = System.nanoTime() + timeoutNanos;
        deadline = d == 0 ? 1 : d;
    }

    private void disarm() {
        deadline = 0;
    }

    /** The failure of an operation the sweeper cut off, or the operation's own. */
    private IOException timedOut(IOException e, String what) {
        if (expired) {
            // No cause: callers classify a failure by its root cause, and the socket's "closed" is only the means.
            return new SocketTimeoutException(what + " for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
        return e;
    }

    private void write(byte[] b, int off, int len, String what) throws IOException {
        arm();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw timedOut(e, what);
        } finally {
            disarm();
        }
    }

    // ---- writing the request ----

    /**
     * Starts a request head: the request line and {@code Host}.
     *
     * @throws IllegalArgumentException if the method is not an HTTP token or the target holds a space or a control
     *                                  character (a method or path a policy built from input, a decoded template
     *                                  parameter say, must not be able to split the request line)
     */
    void startHead(String method, String target, String host) {
        if (!isToken(method)) {
            throw new IllegalArgumentException("the method '" + printable(method) + "' is not a valid HTTP token");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                throw new IllegalArgumentException("the request target contains a space or a control character");
            }
        }
        headLength = 0;
        append(method);
        append(' ');
        append(target);
        append(" HTTP/1.1\r\nHost: ");
        append(host);
        append(CRLF);
    }

    /**
     * Adds a header to the head being built.
     *
     * @throws IllegalArgumentException if the name is not an HTTP token or the value holds a line break (a header a
     *                                  policy built from input must not be able to split the request)
     */
    void header(String name, String value) {
        if (!isToken(name)) {
            throw new IllegalArgumentException("the header name '" + printable(name) + "' is not a valid HTTP token");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("the value of header '" + name + "' contains a line break or NUL");
            }
        }
        append(name);
        append(": ");
        append(value);
        append(CRLF);
    }

    /** Ends the head and writes it, with {@code body} (may be null) in the same write when it fits the buffer. */
    void sendHead(byte[] body) throws IOException {
        append(CRLF);
        if (body != null && body.length > 0 && headLength + body.length <= BUFFER) {
            append(body);
            body = null;
        }
        write(head, 0, headLength, "the backend took none of the request");
        if (body != null && body.length > 0) {
            write(body, 0, body.length, "the backend read none of the request body");
        }
    }

    /** Streams a request body of declared length. */
    void sendBody(InputStream body) throws IOException {
        byte[] chunk = buf; // the read buffer is free until the response is read
        int n;
        while ((n = body.read(chunk, 0, chunk.length)) > 0) {
            write(chunk, 0, n, "the backend read none of the request body");
        }
    }

    /** Streams a request body of unknown length in chunked coding. */
    void sendChunked(InputStream body) throws IOException {
        byte[] chunk = new byte[BUFFER + 16];
        int n;
        while ((n = body.read(chunk, 10, BUFFER)) > 0) {
            String size = Integer.toHexString(n);
            int start = 10 - size.length() - 2;
            for (int i = 0; i < size.length(); i++) {
                chunk[start + i] = (byte) size.charAt(i);
            }
            chunk[8] = '\r';
            chunk[9] = '\n';
            chunk[10 + n] = '\r';
            chunk[11 + n] = '\n';
            write(chunk, start, n + 12 - start, "the backend read none of the request body");
        }
        write(new byte[] {'0', '\r', '\n', '\r', '\n'}, 0, 5, "the backend read none of the request body");
    }

    private void append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            head[headLength++] = c <= 0xFF ? (byte) c : (byte) '?';
        }
    }

    private void append(char c) {
        ensure(1);
        head[headLength++] = (byte) c;
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, head, headLength, bytes.length);
        headLength += bytes.length;
    }

    private void ensure(int more) {
        if (headLength + more > head.length) {
            head = Arrays.copyOf(head, Math.max(head.length * 2, headLength + more));
        }
    }

    // ---- reading the response ----

    /** A parsed response head: status, reason and the header fields in the order received. */
    record ResponseHead(int status, String reason, List<String> names, List<String> values, long contentLength,
                        boolean chunked, boolean keepAlive) {
    }

    /** Reads the response head, skipping interim 1xx responses other than 101. */
    ResponseHead readHead() throws IOException {
        while (true) {
            ResponseHead head = readOneHead();
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
        }
    }

    private ResponseHead readOneHead() throws IOException {
        int budget = MAX_HEAD;
        String statusLine = readLine(budget);
        budget -= statusLine.length();
        // HTTP/1.1 200 OK
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' ') {
            throw new IOException("malformed status line from the backend: '" + printable(statusLine) + "'");
        }
        boolean http11 = statusLine.charAt(7) == '1';
        int status;
        try {
            status = Integer.parseInt(statusLine, 9, 12, 10);
        } catch (NumberFormatException e) {
            throw new IOException("malformed status code from the backend: '" + printable(statusLine) + "'");
        }
        // Three digits, 100 to 599, then a space or the end (RFC 9112 §4): parseInt alone takes "-12" (then read as an
        // interim response, waiting for another head until the timeout) and the first three digits of "2000".
        if (status < 100 || status > 599 || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new IOException("malformed status code from the backend: '" + printable(statusLine) + "'");
        }
        String reason = statusLine.length() == 15 && statusLine.endsWith(" OK") ? "OK"
                : statusLine.length() > 13 ? statusLine.substring(13) : "";
        List<String> names = new ArrayList<>(8);
        List<String> values = new ArrayList<>(8);
        long contentLength = -1;
        boolean chunked = false;
        boolean keepAlive = http11;
        while (true) {
            String line = readLine(budget);
            budget -= line.length() + 2;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new IOException("malformed header line from the backend: '" + printable(line) + "'");
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("content-length")) {
                try {
                    long parsed = Long.parseLong(value);
                    if (parsed < 0 || (contentLength >= 0 && contentLength != parsed)) {
                        throw new NumberFormatException();
                    }
                    contentLength = parsed;
                } catch (NumberFormatException e) {
                    throw new IOException("invalid Content-Length from the backend: '" + printable(value) + "'");
                }
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.regionMatches(true, value.length() - 7, "chunked", 0, 7);
                if (!chunked) {
                    keepAlive = false; // framed by the end of the connection (RFC 9112 §6.3)
                }
            } else if (name.equalsIgnoreCase("connection")) {
                if (containsToken(value, "close")) {
                    keepAlive = false;
                } else if (!http11 && containsToken(value, "keep-alive")) {
                    keepAlive = true;
                }
            }
            names.add(name);
            values.add(value);
        }
        if (chunked) {
            contentLength = -1;
        }
        return new ResponseHead(status, reason, names, values, contentLength, chunked, keepAlive);
    }

    /**
     * The response body as a stream. Reading it to its end returns the connection to the pool (or closes it when
     * the response does not allow reuse); closing it earlier closes the connection.
     */
    InputStream body(ResponseHead head, boolean bodiless) {
        if (bodiless || (!head.chunked() && head.contentLength() == 0)) {
            finish(head.keepAlive() && head.status() != 101);
            return InputStream.nullInputStream();
        }
        if (head.chunked()) {
            return new ChunkedBody(head.keepAlive());
        }
        if (head.contentLength() > 0) {
            return new FixedBody(head.contentLength(), head.keepAlive());
        }
        return new UntilCloseBody();
    }

    /** Ends the exchange on this connection: back to the pool, or closed. */
    private void finish(boolean keepAlive) {
        if (keepAlive && pos == lim && isOpen()) {
            reused = true;
            pool.release(this);
        } else {
            close();
        }
    }

    private int fill() throws IOException {
        if (pos < lim) {
            return lim - pos;
        }
        pos = 0;
        lim = 0;
        int n;
        arm();
        try {
            n = in.read(buf, 0, buf.length);
        } catch (IOException e) {
            throw timedOut(e, received ? "the backend sent nothing more" : "the backend did not answer");
        } finally {
            disarm();
        }
        if (n > 0) {
            lim = n;
            received = true;
        }
        return n;
    }

    /** Reads one CRLF-terminated line (a bare LF is accepted) as ISO-8859-1, without the terminator. */
    private String readLine(int budget) throws IOException {
        StringBuilder spill = null;
        while (true) {
            if (fill() < 0) {
                throw new EOFException(received ? "the backend closed the connection in the middle of the response head"
                                               : "the backend closed the connection without a response");
            }
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (spill == null) {
                        return part;
                    }
                    spill.append(part);
                    int len = spill.length();
                    if (len > 0 && spill.charAt(len - 1) == '\r') {
                        spill.setLength(len - 1);
                    }
                    return spill.toString();
                }
            }
            if (spill == null) {
                spill = new StringBuilder();
            }
            spill.append(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1));
            pos = lim;
            if (spill.length() > budget) {
                throw new IOException("the backend's response head is larger than " + MAX_HEAD + " bytes");
            }
        }
    }

    private int readBody(byte[] b, int off, int len) throws IOException {
        int available = fill();
        if (available < 0) {
            return -1;
        }
        int n = Math.min(available, len);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.closed(this);
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a connection we no longer use; nothing to report
            }
        }
    }

    private static boolean containsToken(String value, String token) {
        for (String part : value.split(",")) {
            if (part.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isToken(String name) {
        int n = name.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 128 || !TOKEN[c]) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        String shortened = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return shortened.replaceAll("[\\p{Cntrl}]", "?");
    }

    /** Base of the body streams: once finished they read as empty, and closing them early closes the connection. */
    private abstract class Body extends InputStream {
        private boolean done;

        final void done(boolean keepAlive) {
            if (!done) {
                done = true;
                finish(keepAlive);
            }
        }

        final boolean isDone() {
            return done;
        }

        @Override
        public final int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public final int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            return len == 0 ? 0 : readMore(b, off, len);
        }

        /** Reads at least one byte of a body not yet finished, or -1 at its end. */
        abstract int readMore(byte[] b, int off, int len) throws IOException;

        @Override
        public void close() {
            if (!done) {
                done = true;
                BackendConnection.this.close();
            }
        }
    }

    private final class FixedBody extends Body {
        private long remaining;
        private final boolean keepAlive;

        FixedBody(long length, boolean keepAlive) {
            this.remaining = length;
            this.keepAlive = keepAlive;
        }

        @Override
        int readMore(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = readBody(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                close();
                throw new EOFException("the backend closed the connection " + remaining + " bytes before the end of"
                                               + " the body its Content-Length announced");
            }
            remaining -= n;
            if (remaining == 0) {
                done(keepAlive);
            }
            return n;
        }

        @Override
        public int available() {
            return isDone() ? 0 : (int) Math.min(remaining, lim - pos);
        }
    }

    private final class UntilCloseBody extends Body {
        @Override
        int readMore(byte[] b, int off, int len) throws IOException {
            int n = readBody(b, off, len);
            if (n < 0) {
                done(false);
            }
            return n;
        }
    }

    private final class ChunkedBody extends Body {
        private final boolean keepAlive;
        private long chunkLeft;
        private boolean first = true;

        ChunkedBody(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        @Override
        int readMore(byte[] b, int off, int len) throws IOException {
            try {
                if (chunkLeft == 0) {
                    if (!first) {
                        String end = readLine(MAX_HEAD);
                        if (!end.isEmpty()) {
                            throw new IOException("malformed chunked body from the backend: no CRLF after a chunk");
                        }
                    }
                    first = false;
                    chunkLeft = chunkSize(readLine(MAX_HEAD));
                    if (chunkLeft == 0) {
                        // trailer fields, then the empty line; trailers are not forwarded
                        int budget = MAX_HEAD;
                        String trailer;
                        while (!(trailer = readLine(budget)).isEmpty()) {
                            budget -= trailer.length() + 2;
                        }
                        done(keepAlive);
                        return -1;
                    }
                }
                int n = readBody(b, off, (int) Math.min(len, chunkLeft));
                if (n < 0) {
                    throw new EOFException("the backend closed the connection in the middle of a chunked body");
                }
                chunkLeft -= n;
                return n;
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        private long chunkSize(String line) throws IOException {
            int end = line.indexOf(';');
            String hex = (end < 0 ? line : line.substring(0, end)).strip();
            try {
                long size = Long.parseLong(hex, 16);
                if (size < 0) {
                    throw new NumberFormatException();
                }
                return size;
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size from the backend: '" + printable(line) + "'");
            }
        }
    }
}
