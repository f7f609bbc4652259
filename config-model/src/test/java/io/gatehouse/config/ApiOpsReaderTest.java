package io.gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading APIOps folders: the quickstart, every artifact kind, and the errors a malformed folder gives.
 */
class ApiOpsReaderTest {

    static final Path QUICKSTART = Path.of(System.getProperty("gatehouse.root", "..")).resolve("examples/quickstart");

    @TempDir
    Path dir;

    /** The shipped quickstart folder reads into the APIs, operations, products and subscription it documents. */
    @Test
    void readsQuickstart() throws ConfigException {
        Snapshot s = ApiOpsReader.read(QUICKSTART);
        assertEquals(List.of("echo", "status", "time"), s.apis().stream().map(Api::id).toList());
        Api echo = s.api("echo").orElseThrow();
        assertEquals("echo", echo.path());
        assertEquals("http://127.0.0.1:9090/echo", echo.serviceUrl().orElseThrow().toString());
        Operation get = echo.operations().stream().filter(o -> o.id().equals("get-message")).findFirst().orElseThrow();
        assertEquals("GET", get.method());
        assertEquals("/{message}", get.urlTemplate());
        assertEquals("message", get.templateParameters().getFirst().name());
        assertEquals("name", get.queryParameters().getFirst().name());
        Subscription demo = s.subscriptions().getFirst();
        assertEquals("/products/starter", demo.scope());
        assertEquals(KeyHash.of("demo-primary-key-0123456789abcdef"), demo.primaryKeyHash().orElseThrow());
        assertTrue(s.globalPolicy().isPresent());
        assertEquals(32, s.revision().length());
    }

    /** The revision depends on content only: reading twice gives the same id, one edit gives another. */
    @Test
    void revisionIsContentDerived() throws Exception {
        copy(QUICKSTART, dir);
        String first = ApiOpsReader.read(dir).revision();
        assertEquals(first, ApiOpsReader.read(dir).revision());
        Files.writeString(dir.resolve("policy.xml"), "<policies><inbound/><backend><forward-request/></backend>"
                + "<outbound/><on-error/></policies>");
        assertNotEquals(first, ApiOpsReader.read(dir).revision());
    }

    /** The canonical JSON form round-trips and a tampered document is refused. */
    @Test
    void snapshotJsonRoundTripsAndRejectsTampering() throws ConfigException {
        Snapshot s = ApiOpsReader.read(QUICKSTART);
        byte[] json = SnapshotJson.write(s);
        assertEquals(s, SnapshotJson.read(json, "test"));
        String tampered = new String(json, StandardCharsets.UTF_8).replace("\"path\":\"time\"", "\"path\":\"timex\"");
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> SnapshotJson.read(tampered.getBytes(StandardCharsets.UTF_8), "t"));
        assertTrue(e.getMessage().contains("does not match its revision"), e.getMessage());
    }

    /** A malformed JSON file is reported with its path and line, and the other problems are reported too. */
    @Test
    void reportsEveryProblemWithFileAndLine() throws Exception {
        write("apis/a/apiInformation.json", "{\n  \"properties\": {\n    \"path\": \"a\",\n    oops\n  }\n}");
        write("apis/b/apiInformation.json", "{\"properties\": {\"path\": \"b\", \"serviceUrl\": \"ftp://x\"}}");
        write("subscriptions/s/subscriptionInformation.json", "{\"properties\": {\"scope\": \"/products/nope\"}}");
        ConfigException e = assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir));
        List<String> lines = e.problems().stream().map(ConfigProblem::toString).toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("apis/a/apiInformation.json:4:"), lines.toString());
        assertTrue(lines.get(1).contains("apis/b/apiInformation.json") && lines.get(1).contains("http or https"),
                   lines.toString());
        assertTrue(lines.get(2).contains("product that is not defined"), lines.toString());
    }

    /** A YAML syntax error in a specification gives the line. */
    @Test
    void specificationSyntaxErrorHasLine() throws Exception {
        write("apis/a/apiInformation.json", "{\"properties\": {\"path\": \"a\"}}");
        write("apis/a/specification.yaml", "openapi: 3.0.1\ninfo:\n  title: a\n  version: '1'\npaths:\n  /x: [\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir));
        assertTrue(e.problems().getFirst().file().equals("apis/a/specification.yaml"), e.getMessage());
        assertTrue(e.problems().getFirst().line() >= 6, e.getMessage());
    }

    /** An operation policy folder that names no operation in the specification is an error. */
    @Test
    void operationFolderMustMatchOperationId() throws Exception {
        copy(QUICKSTART, dir);
        write("apis/echo/operations/no-such-op/policy.xml", "<policies/>");
        ConfigException e = assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir));
        assertTrue(e.getMessage().contains("apis/echo/operations/no-such-op: no operation 'no-such-op'"),
                   e.getMessage());
    }

    /** Two subscriptions with one key are refused, and the message does not contain the key. */
    @Test
    void duplicateKeysAreRefusedWithoutEchoingThem() throws Exception {
        copy(QUICKSTART, dir);
        write("subscriptions/other/subscriptionInformation.json",
              "{\"properties\": {\"scope\": \"/apis\", \"primaryKey\": \"demo-primary-key-0123456789abcdef\"}}");
        ConfigException e = assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir));
        assertTrue(e.getMessage().contains("keys must be unique"), e.getMessage());
        assertFalse(e.getMessage().contains("demo-primary-key"), e.getMessage());
    }

    /** With gateways defined, a gateway's snapshot holds only its assigned APIs; an unknown gateway is an error. */
    @Test
    void gatewayAssignmentsFilterApis() throws Exception {
        copy(QUICKSTART, dir);
        write("gateways/edge/gatewayInformation.json", "{\"properties\": {\"description\": \"edge\"}}");
        write("gateways/edge/apis/echo/gatewayApiInformation.json", "{}");
        Snapshot all = ApiOpsReader.read(dir);
        Snapshot edge = all.forGateway("edge");
        assertEquals(List.of("echo"), edge.apis().stream().map(Api::id).toList());
        assertEquals(List.of(), edge.products().stream().filter(p -> p.id().equals("starter")).toList(),
                     "a product with no API on this gateway is not sent");
        assertTrue(edge.subscriptions().stream().noneMatch(s -> s.scope().equals("/products/starter")),
                   "nor are the subscriptions that could only open it");
        assertNotEquals(all.revision(), edge.revision());
        ConfigException e = assertThrows(ConfigException.class, () -> all.forGateway("nope"));
        assertTrue(e.getMessage().contains("gateway 'nope'"), e.getMessage());
    }

    /**
     * The management plane sends a gateway the folder does not define every API; a defined gateway gets its own,
     * and only the named values its policies use.
     */
    @Test
    void servedToCutsApisSubscriptionsAndNamedValues() throws Exception {
        copy(QUICKSTART, dir);
        write("gateways/edge/gatewayInformation.json", "{\"properties\": {\"description\": \"edge\"}}");
        write("gateways/edge/apis/time/gatewayApiInformation.json", "{}");
        Snapshot all = ApiOpsReader.read(dir);
        assertEquals(all.apis(), all.servedTo("elsewhere").apis());
        assertEquals(List.of(), all.servedTo("elsewhere").gateways());
        Snapshot edge = all.servedTo("edge");
        assertEquals(List.of("time"), edge.apis().stream().map(Api::id).toList());
        assertTrue(all.namedValues().stream().anyMatch(v -> v.displayName().equals("environment-name")));
        assertTrue(edge.namedValues().stream().noneMatch(v -> v.displayName().equals("environment-name")),
                   "the echo API's named value is not sent to a gateway without echo");
        assertEquals(edge, all.servedTo("edge"), "the cut is deterministic");
    }

    /** Subscription scopes are accepted in short form and as ARM resource ids. */
    @Test
    void scopesAreNormalized() {
        assertEquals("/products/starter", ApiOpsReader.normalizeScope("/products/starter"));
        assertEquals("/apis/echo", ApiOpsReader.normalizeScope("/subscriptions/x/resourceGroups/y/providers/"
                + "Microsoft.ApiManagement/service/z/apis/echo"));
        assertEquals("/apis", ApiOpsReader.normalizeScope("/apis/"));
        assertEquals("/products/p", ApiOpsReader.normalizeScope("products/p"));
    }

    /** Named values, backends and fragments are read from their folders (names with spaces). */
    @Test
    void readsNamedValuesBackendsAndFragments() throws Exception {
        write("named values/nv1/namedValueInformation.json",
              "{\"properties\": {\"displayName\": \"env\", \"value\": \"prod\", \"secret\": true}}");
        write("backends/b1/backendInformation.json", "{\"properties\": {\"url\": \"http://127.0.0.1:1/x\"}}");
        write("policy fragments/f1/policy.xml", "<fragment><set-header name=\"a\"/></fragment>");
        Snapshot s = ApiOpsReader.read(dir);
        assertEquals("env", s.namedValues().getFirst().displayName());
        assertFalse(s.namedValues().getFirst().toString().contains("prod"));
        assertEquals("http://127.0.0.1:1/x", s.backends().getFirst().url().orElseThrow().toString());
        assertEquals("policy fragments/f1/policy.xml", s.fragments().getFirst().document().path());
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static void copy(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = new ArrayList<>(s.sorted(Comparator.naturalOrder()).toList());
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target);
            }
        }
    }
}
