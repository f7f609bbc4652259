package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.telemetry.Telemetry;

/**
 * What the gateway exports over OTLP/gRPC (issue 5), decoded by a collector in the test: the SERVER span of a request
 * with its attributes and its CLIENT child, and the request duration metric, each on its gRPC method.
 *
 * <p>How the protocol is chosen: {@code observability.opentelemetry.collector.uri} becomes the SDK's
 * {@code otel.exporter.otlp.endpoint}, and {@link Telemetry} derives {@code otel.exporter.otlp.protocol} from its port:
 * {@code grpc} on 4317 (the collector's gRPC port), {@code http/protobuf} on any other. Both are only defaults handed to
 * the SDK's autoconfiguration: {@code OTEL_EXPORTER_OTLP_PROTOCOL}, or its system property form
 * {@code otel.exporter.otlp.protocol}, wins over them. A test cannot count on binding 4317, so the collector here listens
 * on a free port and the test sets {@code otel.exporter.otlp.protocol=grpc}, as an operator whose collector takes gRPC on
 * another port would; the choice by port itself is one comparison in {@code Telemetry.protocol}, not exercised here.
 *
 * <p>The gRPC sender is OkHttp's ({@code opentelemetry-exporter-sender-okhttp}, which
 * {@code opentelemetry-exporter-otlp} brings at run time; the JDK sender has no gRPC). Telemetry points only the HTTP
 * sender at the JDK's. It runs on Helidon's OkHttp 4: with OkHttp 5 on Helidon's older okio every gRPC export failed,
 * which this test found (see otel-export's pom). For an {@code http://} endpoint OkHttp speaks HTTP/2 cleartext with
 * prior knowledge, and no gRPC server library is on the test class path, so {@link GrpcCollector} speaks just enough of
 * it: the preface, SETTINGS, PING, HEADERS and CONTINUATION decoded with a small HPACK decoder (Huffman and the dynamic
 * table included, so the {@code :path} is read, not guessed), DATA with flow control, gRPC's length-prefixed messages,
 * and an answer of headers, an empty message and {@code grpc-status: 0} trailers.
 */
class OtlpGrpcExportTest {

    private static final String KEY = "otlp-grpc-test-key-0123456789ab";
    private static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final long AWAIT_NANOS = 10_000_000_000L;

    @TempDir
    Path dir;
    private GrpcCollector collector;
    private TestBackend backend;
    private Telemetry telemetry;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        collector = GrpcCollector.start();
        backend = TestBackend.answering("hello");
        new TestFolder(dir)
                .api("tel", "tel", "http://127.0.0.1:" + backend.port(), true, "GET /items/{id}")
                .product("p1", true, "tel")
                .subscription("sub1", "/products/p1", "active", KEY);
    }

    /** Starts telemetry and a gateway as {@code gatehouse run} wires them, exporting over gRPC to the collector. */
    private void serve() throws SettingsException {
        Map<String, String> values = Map.of("observability.opentelemetry.enabled", "true",
                                            "observability.opentelemetry.collector.uri",
                                            "http://127.0.0.1:" + collector.port());
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), values);
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        try {
            telemetry = GatewayMain.telemetry(settings, "gw-test", "gw-test-1");
        } finally {
            // The SDK reads it when it starts; no other test may see it.
            System.clearProperty("otel.exporter.otlp.protocol");
        }
        RequestObserver observer = new RequestObserver(telemetry, Services.get(MeterRegistry.class),
                                                       AccessLog.off(),
                                                       SettingKey.parseBuckets(settings.string(
                                                               SettingKey.OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS)));
        gateway = new TestFolder(dir).gateway(values, observer).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (telemetry != null) {
            // Before the collector: shutting down exports what is left, to it.
            telemetry.close();
        }
        collector.close();
        backend.close();
    }

    private List<Span> spans() {
        return collector.calls(GrpcCollector.TRACE_EXPORT).stream().flatMap(call -> call.messages().stream())
                .map(message -> {
                    try {
                        return ExportTraceServiceRequest.parseFrom(message);
                    } catch (IOException e) {
                        throw new AssertionError("not an ExportTraceServiceRequest", e);
                    }
                })
                .flatMap(req -> req.getResourceSpansList().stream())
                .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream()).toList();
    }

    private List<String> metricNames() {
        return collector.calls(GrpcCollector.METRICS_EXPORT).stream().flatMap(call -> call.messages().stream())
                .map(message -> {
                    try {
                        return ExportMetricsServiceRequest.parseFrom(message);
                    } catch (IOException e) {
                        throw new AssertionError("not an ExportMetricsServiceRequest", e);
                    }
                })
                .flatMap(req -> req.getResourceMetricsList().stream())
                .flatMap(rm -> rm.getScopeMetricsList().stream()).flatMap(sm -> sm.getMetricsList().stream())
                .map(metric -> metric.getName()).distinct().toList();
    }

    private static String attribute(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst().map(KeyValue::getValue)
                .map(v -> v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue()).orElse(null);
    }

    /** Over OTLP/gRPC the collector receives the SERVER span with its attributes and its CLIENT child, in one trace. */
    @Test
    void exportsLinkedServerAndClientSpansOverGrpc() throws Exception {
        serve();
        HttpResponse<String> r = HttpCalls.get(URI.create("http://127.0.0.1:" + gateway.port()), "/tel/items/42",
                                               "Ocp-Apim-Subscription-Key", KEY,
                                               "traceparent", "00-" + INCOMING_TRACE + "-00f067aa0ba902b7-01");
        assertEquals(200, r.statusCode());

        // The SERVER span ends once the response is sent, so the client may see the answer first: flush until it is in.
        List<Span> spans = List.of();
        long deadline = System.nanoTime() + AWAIT_NANOS;
        while ((spans.stream().noneMatch(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                || !metricNames().contains(Telemetry.REQUEST_DURATION)) && System.nanoTime() < deadline) {
            telemetry.flush();
            spans = spans();
        }
        List<Span> servers = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
        List<Span> clients = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
        // Exactly one each: an answer the sender did not take as success would have been retried, and counted twice.
        assertEquals(1, servers.size(), "SERVER spans exported over gRPC: " + spans);
        assertEquals(1, clients.size(), "CLIENT spans exported over gRPC: " + spans);
        Span server = servers.get(0);
        Span client = clients.get(0);
        assertEquals(INCOMING_TRACE, HexFormat.of().formatHex(server.getTraceId().toByteArray()), "the caller's trace");
        assertEquals("GET /tel/items/{id}", server.getName());
        assertEquals("GET", attribute(server, "http.request.method"));
        assertEquals("/tel/items/{id}", attribute(server, "http.route"));
        assertEquals("200", attribute(server, "http.response.status_code"));
        assertEquals("tel", attribute(server, "gatehouse.api.id"));
        assertEquals(server.getTraceId(), client.getTraceId(), "CLIENT is in the SERVER span's trace");
        assertEquals(server.getSpanId(), client.getParentSpanId(), "CLIENT is the SERVER span's child");
        String clientSpan = HexFormat.of().formatHex(client.getSpanId().toByteArray());
        assertEquals(List.of("00-" + INCOMING_TRACE + "-" + clientSpan + "-01"), backend.traceparents(),
                     "the backend received the CLIENT span's traceparent");
        assertTrue(metricNames().contains(Telemetry.REQUEST_DURATION), "metrics exported over gRPC: " + metricNames());

        for (GrpcCollector.Call call : collector.calls()) {
            assertTrue(call.path().equals(GrpcCollector.TRACE_EXPORT) || call.path().equals(GrpcCollector.METRICS_EXPORT),
                       "an OTLP export method: " + call);
            assertEquals("POST", call.header(":method"), call.toString());
            assertEquals("http", call.header(":scheme"), call.toString());
            assertEquals("application/grpc", call.header("content-type"), call.toString());
            assertEquals("trailers", call.header("te"), call.toString());
        }
        assertEquals(List.of(), collector.failures(), "HTTP/2 or gRPC errors the collector saw");
    }

    /**
     * Just enough of an OTLP/gRPC collector for a test: HTTP/2 cleartext with prior knowledge (RFC 9113) on 127.0.0.1, one
     * thread per connection, which answers on its own stream; each finished call is recorded with its headers and gRPC
     * messages. The trace and metrics export methods are answered OK with an empty response message, any other with
     * UNIMPLEMENTED. What a real client should never send (a bad frame, a stream reset, an error GOAWAY, a compressed
     * message) is recorded as a failure.
     */
    private static final class GrpcCollector implements AutoCloseable {

        static final String TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
        static final String METRICS_EXPORT = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

        private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        /** SETTINGS_MAX_FRAME_SIZE's default: the collector announces no other, so no frame may be larger. */
        private static final int MAX_FRAME = 16_384;
        private static final int DATA = 0x0;
        private static final int HEADERS = 0x1;
        private static final int PRIORITY = 0x2;
        private static final int RST_STREAM = 0x3;
        private static final int SETTINGS = 0x4;
        private static final int PUSH_PROMISE = 0x5;
        private static final int PING = 0x6;
        private static final int GOAWAY = 0x7;
        private static final int WINDOW_UPDATE = 0x8;
        private static final int CONTINUATION = 0x9;
        private static final int END_STREAM = 0x1;
        private static final int ACK = 0x1;
        private static final int END_HEADERS = 0x4;
        private static final int PADDED = 0x8;
        private static final int PRIORITY_FLAG = 0x20;

        private final ServerSocket server;
        private Thread acceptor;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private volatile boolean closing;

        /** One finished call: its request headers, in order, and the gRPC messages of its body. */
        record Call(List<Map.Entry<String, String>> headers, List<byte[]> messages) {

            String header(String name) {
                return headers.stream().filter(h -> h.getKey().equals(name)).map(Map.Entry::getValue).findFirst()
                        .orElse(null);
            }

            String path() {
                return String.valueOf(header(":path"));
            }

            @Override
            public String toString() {
                return "Call" + headers + " with " + messages.size() + " message(s)";
            }
        }

        private GrpcCollector(ServerSocket server) {
            this.server = server;
        }

        static GrpcCollector start() throws IOException {
            GrpcCollector collector = new GrpcCollector(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            collector.acceptor = Thread.ofPlatform().daemon().name("grpc-collector-accept").start(collector::accept);
            return collector;
        }

        int port() {
            return server.getLocalPort();
        }

        List<Call> calls() {
            return List.copyOf(calls);
        }

        List<Call> calls(String path) {
            return calls.stream().filter(call -> call.path().equals(path)).toList();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        private void accept() {
            while (!closing) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    threads.add(Thread.ofPlatform().daemon().name("grpc-collector-" + socket.getPort())
                                        .start(() -> serve(socket)));
                } catch (IOException e) {
                    if (!closing) {
                        failures.add("accept: " + e);
                    }
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                new Connection(new DataInputStream(new BufferedInputStream(socket.getInputStream())),
                               new BufferedOutputStream(socket.getOutputStream())).run();
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    failures.add(socket.getPort() + ": " + e);
                }
            }
        }

        /** Closes the listener and every connection, and waits for their threads to end. */
        @Override
        public void close() {
            closing = true;
            try {
                server.close();
                // Once the acceptor has ended, no connection is added behind the loop that closes them.
                acceptor.join(5_000);
                assertFalse(acceptor.isAlive(), acceptor + " still running");
                for (Socket socket : sockets) {
                    socket.close();
                }
                for (Thread thread : threads) {
                    thread.join(5_000);
                    assertFalse(thread.isAlive(), thread + " still running");
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** One client connection, read and answered on one thread. */
        private final class Connection {

            private final DataInputStream in;
            private final OutputStream out;
            private final HpackDecoder hpack = new HpackDecoder();
            /** The streams whose headers are in and whose body is not yet complete. */
            private final Map<Integer, OpenStream> open = new HashMap<>();
            /** A header block that CONTINUATION frames still add to. */
            private ByteArrayOutputStream headerBlock;
            private int headerStream;
            private boolean headerEndsStream;

            Connection(DataInputStream in, OutputStream out) {
                this.in = in;
                this.out = out;
            }

            void run() throws IOException {
                byte[] preface = new byte[PREFACE.length];
                in.readFully(preface);
                if (!Arrays.equals(preface, PREFACE)) {
                    throw new IOException("not the HTTP/2 client preface: " + HexFormat.of().formatHex(preface));
                }
                frame(SETTINGS, 0, 0, new byte[0]);
                out.flush();
                byte[] header = new byte[9];
                while (true) {
                    int first = in.read();
                    if (first < 0) {
                        return;
                    }
                    header[0] = (byte) first;
                    in.readFully(header, 1, 8);
                    ByteBuffer h = ByteBuffer.wrap(header);
                    int length = (h.get(0) & 0xff) << 16 | (h.get(1) & 0xff) << 8 | h.get(2) & 0xff;
                    int type = h.get(3) & 0xff;
                    int flags = h.get(4) & 0xff;
                    int stream = h.getInt(5) & 0x7fffffff;
                    if (length > MAX_FRAME) {
                        throw new IOException("frame of " + length + " bytes, over SETTINGS_MAX_FRAME_SIZE");
                    }
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    if (headerBlock != null && type != CONTINUATION) {
                        throw new IOException("frame type " + type + " inside the header block of stream " + headerStream);
                    }
                    onFrame(type, flags, stream, payload);
                    out.flush();
                }
            }

            private void onFrame(int type, int flags, int stream, byte[] payload) throws IOException {
                switch (type) {
                case DATA -> onData(flags, stream, payload);
                case HEADERS -> {
                    int start = 0;
                    int end = payload.length;
                    if ((flags & PADDED) != 0) {
                        start = 1;
                        end -= payload[0] & 0xff;
                    }
                    if ((flags & PRIORITY_FLAG) != 0) {
                        start += 5;
                    }
                    headerBlock = new ByteArrayOutputStream();
                    headerBlock.write(payload, start, end - start);
                    headerStream = stream;
                    headerEndsStream = (flags & END_STREAM) != 0;
                    if ((flags & END_HEADERS) != 0) {
                        onHeaders();
                    }
                }
                case CONTINUATION -> {
                    if (headerBlock == null || stream != headerStream) {
                        throw new IOException("CONTINUATION on stream " + stream + " without its HEADERS");
                    }
                    headerBlock.write(payload);
                    if ((flags & END_HEADERS) != 0) {
                        onHeaders();
                    }
                }
                case SETTINGS -> {
                    // Nothing the client may set changes what this collector sends: no dynamic table, small frames.
                    if ((flags & ACK) == 0) {
                        frame(SETTINGS, ACK, 0, new byte[0]);
                    }
                }
                case PING -> {
                    if ((flags & ACK) == 0) {
                        frame(PING, ACK, 0, payload);
                    }
                }
                case RST_STREAM -> {
                    open.remove(stream);
                    failures.add("RST_STREAM on stream " + stream + ", error " + ByteBuffer.wrap(payload).getInt());
                }
                case GOAWAY -> {
                    int error = ByteBuffer.wrap(payload).getInt(4);
                    if (error != 0) {
                        failures.add("GOAWAY, error " + error + ": "
                                             + new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8));
                    }
                }
                case PUSH_PROMISE -> throw new IOException("PUSH_PROMISE from a client");
                case PRIORITY, WINDOW_UPDATE -> {
                    // Answers are a few dozen bytes: the initial windows are plenty, and priorities do not matter.
                }
                default -> {
                    // Unknown frame types are ignored, as RFC 9113 section 4.1 says.
                }
                }
            }

            private void onHeaders() throws IOException {
                List<Map.Entry<String, String>> headers = hpack.decode(headerBlock.toByteArray());
                headerBlock = null;
                if (open.containsKey(headerStream)) {
                    throw new IOException("trailers on stream " + headerStream + ": a gRPC unary call has none");
                }
                OpenStream stream = new OpenStream(headers);
                open.put(headerStream, stream);
                if (headerEndsStream) {
                    onCall(headerStream);
                }
            }

            private void onData(int flags, int streamId, byte[] payload) throws IOException {
                OpenStream stream = open.get(streamId);
                if (stream == null) {
                    throw new IOException("DATA on stream " + streamId + ", which is not open");
                }
                int start = 0;
                int end = payload.length;
                if ((flags & PADDED) != 0) {
                    start = 1;
                    end -= payload[0] & 0xff;
                }
                stream.body.write(payload, start, end - start);
                // Give back what was received, padding included, so a large export never stalls on flow control.
                if (payload.length > 0) {
                    frame(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(payload.length).array());
                    if ((flags & END_STREAM) == 0) {
                        frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(payload.length).array());
                    }
                }
                if ((flags & END_STREAM) != 0) {
                    onCall(streamId);
                }
            }

            /** The request is complete: record it and answer, as a gRPC server, on its stream. */
            private void onCall(int streamId) throws IOException {
                OpenStream stream = open.remove(streamId);
                ByteBuffer body = ByteBuffer.wrap(stream.body.toByteArray());
                List<byte[]> messages = new ArrayList<>();
                // Each gRPC message: a compressed flag, a 4-byte length, then that many bytes of protobuf.
                while (body.hasRemaining()) {
                    if (body.remaining() < 5) {
                        throw new IOException("a gRPC message prefix cut short on stream " + streamId);
                    }
                    int compressed = body.get();
                    int length = body.getInt();
                    if (compressed != 0) {
                        failures.add("a compressed message on stream " + streamId + ": no grpc-encoding was agreed");
                    }
                    if (length > body.remaining()) {
                        throw new IOException("a gRPC message of " + length + " bytes, " + body.remaining() + " sent");
                    }
                    byte[] message = new byte[length];
                    body.get(message);
                    messages.add(message);
                }
                Call call = new Call(List.copyOf(stream.headers), List.copyOf(messages));
                calls.add(call);
                boolean known = call.path().equals(TRACE_EXPORT) || call.path().equals(METRICS_EXPORT);
                frame(HEADERS, END_HEADERS, streamId, literals(":status", "200", "content-type", "application/grpc"));
                if (known) {
                    // An empty Export*ServiceResponse: not compressed, zero bytes long.
                    frame(DATA, 0, streamId, new byte[5]);
                }
                frame(HEADERS, END_HEADERS | END_STREAM, streamId, literals("grpc-status", known ? "0" : "12"));
            }

            private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
                out.write(ByteBuffer.allocate(9).put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
                                  .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream).array());
                out.write(payload);
            }

            /** Headers as HPACK literals without indexing, new name, no Huffman: nothing to keep in step. */
            private static byte[] literals(String... namesAndValues) {
                ByteArrayOutputStream block = new ByteArrayOutputStream();
                for (int i = 0; i < namesAndValues.length; i += 2) {
                    block.write(0x00);
                    for (String text : List.of(namesAndValues[i], namesAndValues[i + 1])) {
                        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
                        HpackDecoder.writeInteger(block, 0x00, 7, bytes.length);
                        block.writeBytes(bytes);
                    }
                }
                return block.toByteArray();
            }
        }

        /** A stream whose headers are in, and the body received so far. */
        private record OpenStream(List<Map.Entry<String, String>> headers, ByteArrayOutputStream body) {
            OpenStream(List<Map.Entry<String, String>> headers) {
                this(headers, new ByteArrayOutputStream());
            }
        }
    }

    /**
     * HPACK (RFC 7541) decoding, for a connection's request headers: the static table, the dynamic table with its
     * evictions and size updates, integers and Huffman-coded strings. OkHttp Huffman-codes most values and indexes most
     * headers, so reading {@code :path} takes all of it.
     */
    private static final class HpackDecoder {

        /** Appendix A: "name value", split at the first space. */
        private static final String[] STATIC_TABLE = {
            ":authority", ":method GET", ":method POST", ":path /", ":path /index.html", ":scheme http", ":scheme https",
            ":status 200", ":status 204", ":status 206", ":status 304", ":status 400", ":status 404", ":status 500",
            "accept-charset", "accept-encoding gzip, deflate", "accept-language", "accept-ranges", "accept",
            "access-control-allow-origin", "age", "allow", "authorization", "cache-control", "content-disposition",
            "content-encoding", "content-language", "content-length", "content-location", "content-range", "content-type",
            "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match",
            "if-range", "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate",
            "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
            "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate",
        };
        /**
         * Appendix B's code lengths for symbols 0 to 256 (EOS). The code is canonical: codes of one length are consecutive
         * in symbol order, each length's first code following from the shorter ones', so the lengths are the whole table.
         */
        private static final byte[] HUFFMAN_LENGTHS = {
            13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
            28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
            6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
            5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
            13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
            7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
            15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
            6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
            20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
            24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
            22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
            21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
            26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
            19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
            20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
            26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
            30,
        };
        private static final int EOS = 256;
        private static final int LONGEST = 30;
        /** The symbols ordered by code length, then by value: the order of their codes. */
        private static final int[] SYMBOLS = new int[HUFFMAN_LENGTHS.length];
        /** Per length: the first code of that length, where its symbols start in {@link #SYMBOLS}, and how many. */
        private static final int[] FIRST_CODE = new int[LONGEST + 1];
        private static final int[] FIRST_SYMBOL = new int[LONGEST + 1];
        private static final int[] COUNT = new int[LONGEST + 1];
        /** SETTINGS_HEADER_TABLE_SIZE's default: the collector announces no other. */
        private static final int TABLE_SIZE_SETTING = 4096;

        static {
            int code = 0;
            int next = 0;
            for (int length = 1; length <= LONGEST; length++) {
                code <<= 1;
                FIRST_CODE[length] = code;
                FIRST_SYMBOL[length] = next;
                for (int symbol = 0; symbol < HUFFMAN_LENGTHS.length; symbol++) {
                    if (HUFFMAN_LENGTHS[symbol] == length) {
                        SYMBOLS[next++] = symbol;
                        COUNT[length]++;
                        code++;
                    }
                }
            }
        }

        /** Newest first, as HPACK numbers them. */
        private final Deque<Map.Entry<String, String>> dynamic = new ArrayDeque<>();
        private int size;
        private int maxSize = TABLE_SIZE_SETTING;
        private byte[] block;
        private int pos;

        List<Map.Entry<String, String>> decode(byte[] headerBlock) throws IOException {
            block = headerBlock;
            pos = 0;
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            while (pos < block.length) {
                int b = block[pos] & 0xff;
                if ((b & 0x80) != 0) {
                    headers.add(entry(integer(7)));
                } else if ((b & 0x40) != 0) {
                    Map.Entry<String, String> header = literal(6);
                    insert(header);
                    headers.add(header);
                } else if ((b & 0x20) != 0) {
                    int newSize = integer(5);
                    if (newSize > TABLE_SIZE_SETTING) {
                        throw new IOException("dynamic table size " + newSize + " over the setting's " + TABLE_SIZE_SETTING);
                    }
                    maxSize = newSize;
                    evict();
                } else {
                    // Without indexing (0000) or never indexed (0001): the same to a decoder.
                    headers.add(literal(4));
                }
            }
            return headers;
        }

        private Map.Entry<String, String> literal(int prefix) throws IOException {
            int index = integer(prefix);
            String name = index == 0 ? string() : entry(index).getKey();
            return Map.entry(name, string());
        }

        private Map.Entry<String, String> entry(int index) throws IOException {
            if (index >= 1 && index <= STATIC_TABLE.length) {
                String[] nameValue = STATIC_TABLE[index - 1].split(" ", 2);
                return Map.entry(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
            }
            int dynamicIndex = index - STATIC_TABLE.length - 1;
            if (dynamicIndex < 0 || dynamicIndex >= dynamic.size()) {
                throw new IOException("HPACK index " + index + " with " + dynamic.size() + " dynamic entries");
            }
            return dynamic.stream().skip(dynamicIndex).findFirst().orElseThrow();
        }

        private void insert(Map.Entry<String, String> header) {
            // Section 4.1: an entry's size is its name's and value's octets plus 32.
            size += header.getKey().length() + header.getValue().length() + 32;
            dynamic.addFirst(header);
            evict();
        }

        private void evict() {
            while (size > maxSize) {
                Map.Entry<String, String> oldest = dynamic.removeLast();
                size -= oldest.getKey().length() + oldest.getValue().length() + 32;
            }
        }

        private int integer(int prefix) throws IOException {
            int max = (1 << prefix) - 1;
            int value = next() & max;
            if (value < max) {
                return value;
            }
            for (int shift = 0; shift <= 21; shift += 7) {
                int b = next();
                value += (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("an HPACK integer over 2^28");
        }

        private int next() throws IOException {
            if (pos >= block.length) {
                throw new IOException("header block cut short");
            }
            return block[pos++] & 0xff;
        }

        private String string() throws IOException {
            boolean huffman = pos < block.length && (block[pos] & 0x80) != 0;
            int length = integer(7);
            if (length > block.length - pos) {
                throw new IOException("an HPACK string of " + length + " bytes, " + (block.length - pos) + " left");
            }
            byte[] bytes = Arrays.copyOfRange(block, pos, pos + length);
            pos += length;
            return new String(huffman ? huffman(bytes) : bytes, StandardCharsets.ISO_8859_1);
        }

        private static byte[] huffman(byte[] coded) throws IOException {
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            int code = 0;
            int length = 0;
            for (byte b : coded) {
                for (int bit = 7; bit >= 0; bit--) {
                    code = code << 1 | ((b >> bit) & 1);
                    length++;
                    int offset = code - FIRST_CODE[length];
                    if (offset >= 0 && offset < COUNT[length]) {
                        int symbol = SYMBOLS[FIRST_SYMBOL[length] + offset];
                        if (symbol == EOS) {
                            throw new IOException("EOS inside a Huffman-coded string");
                        }
                        decoded.write(symbol);
                        code = 0;
                        length = 0;
                    } else if (length == LONGEST) {
                        throw new IOException("no Huffman code " + Integer.toBinaryString(code));
                    }
                }
            }
            // Section 5.2: at most 7 bits of padding, the start of EOS, which is all ones.
            if (length > 7 || code != (1 << length) - 1) {
                throw new IOException("Huffman padding of " + length + " bits that are not all ones");
            }
            return decoded.toByteArray();
        }

        static void writeInteger(ByteArrayOutputStream out, int flags, int prefix, int value) {
            int max = (1 << prefix) - 1;
            if (value < max) {
                out.write(flags | value);
                return;
            }
            out.write(flags | max);
            int rest = value - max;
            while (rest >= 0x80) {
                out.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            out.write(rest);
        }
    }
}
