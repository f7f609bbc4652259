package io.gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder read again with the same {@link SpecCache} parses only the specifications that changed, and reads into
 * exactly what a fresh read gives: operation policies, changed specifications, warnings and broken files included.
 */
class SpecCacheTest {

    private static final String SPEC = """
            openapi: 3.0.1
            info:
              title: t
              version: '1'
            paths:
              /items/{id}:
                get:
                  operationId: get-item
                  parameters:
                    - $ref: '#/components/parameters/id'
                    - name: expand
                      in: query
                      required: true
                      schema:
                        type: boolean
                  responses:
                    '200':
                      description: ok
            components:
              parameters:
                id:
                  name: id
                  in: path
                  required: true
                  schema:
                    type: integer
            """;

    @TempDir
    Path dir;

    private final SpecCache specs = new SpecCache();

    /** A second read parses nothing, and gives the same snapshot as a read without the cache. */
    @Test
    void anUnchangedFolderIsNotParsedAgain() throws Exception {
        api("a", SPEC);
        api("b", SPEC.replace("/items/{id}", "/things/{id}"));
        Snapshot first = ApiOpsReader.read(dir, w -> { }, specs);
        assertEquals(2, specs.misses());
        Snapshot second = ApiOpsReader.read(dir, w -> { }, specs);
        assertEquals(2, specs.misses(), "the second read parsed a specification again");
        assertEquals(first, second);
        assertEquals(ApiOpsReader.read(dir), second);
        Operation op = second.api("a").orElseThrow().operations().getFirst();
        assertEquals("integer", op.templateParameters().getFirst().type(), "the $ref parameter was resolved");
        assertEquals(List.of(new Operation.Parameter("expand", true, "boolean")), op.queryParameters());
    }

    /** Two APIs with the same specification share one parse; each gets its own operation policies. */
    @Test
    void identicalSpecificationsShareOneParseAndKeepTheirOwnPolicies() throws Exception {
        api("a", SPEC);
        api("b", SPEC);
        write("apis/b/apiInformation.json", "{\"properties\": {\"path\": \"b\"}}");
        write("apis/b/operations/get-item/policy.xml", "<policies><inbound><base /></inbound><backend><base />"
                + "</backend><outbound><base /></outbound><on-error><base /></on-error></policies>");
        Snapshot s = ApiOpsReader.read(dir, w -> { }, specs);
        assertEquals(1, specs.misses());
        assertTrue(s.api("a").orElseThrow().operations().getFirst().policy().isEmpty());
        assertTrue(s.api("b").orElseThrow().operations().getFirst().policy().isPresent());
        assertEquals(ApiOpsReader.read(dir), s);
    }

    /** An edited specification is parsed again and its new operations are served; the old entry is dropped. */
    @Test
    void anEditedSpecificationIsParsedAgain() throws Exception {
        api("a", SPEC);
        ApiOpsReader.read(dir, w -> { }, specs);
        api("a", SPEC.replace("get-item", "fetch-item"));
        Snapshot s = ApiOpsReader.read(dir, w -> { }, specs);
        assertEquals(2, specs.misses());
        assertEquals("fetch-item", s.api("a").orElseThrow().operations().getFirst().id());
        assertEquals(1, specs.size(), "the cache keeps only what the last read used");
    }

    /** An operation policy added or removed without a specification edit is seen by the next read. */
    @Test
    void operationPolicyEditsAreSeenWithoutASpecificationEdit() throws Exception {
        api("a", SPEC);
        ApiOpsReader.read(dir, w -> { }, specs);
        Path policy = dir.resolve("apis/a/operations/get-item/policy.xml");
        write("apis/a/operations/get-item/policy.xml", "<policies><inbound><base /></inbound><backend><base />"
                + "</backend><outbound><base /></outbound><on-error><base /></on-error></policies>");
        assertTrue(ApiOpsReader.read(dir, w -> { }, specs).api("a").orElseThrow().operations().getFirst()
                           .policy().isPresent());
        Files.delete(policy);
        assertTrue(ApiOpsReader.read(dir, w -> { }, specs).api("a").orElseThrow().operations().getFirst()
                           .policy().isEmpty());
        assertEquals(1, specs.misses());
    }

    /** The parser's warnings are reported for every file that has the specification, on every read. */
    @Test
    void warningsAreReportedAgainOnAHit() throws Exception {
        String noInfo = SPEC.replace("info:\n  title: t\n  version: '1'\n", "");
        api("a", noInfo);
        api("b", noInfo);
        List<ConfigProblem> first = new ArrayList<>();
        ApiOpsReader.read(dir, first::add, specs);
        List<ConfigProblem> second = new ArrayList<>();
        ApiOpsReader.read(dir, second::add, specs);
        assertTrue(first.stream().anyMatch(w -> w.file().equals("apis/a/specification.yaml")), first.toString());
        assertTrue(first.stream().anyMatch(w -> w.file().equals("apis/b/specification.yaml")), first.toString());
        assertEquals(first, second);
    }

    /** A specification with a problem is refused on every read, and once fixed it reads. */
    @Test
    void aBrokenSpecificationIsNotKept() throws Exception {
        String twice = SPEC.replace("  /items/{id}:\n    get:\n      operationId: get-item\n",
                                    "  /other:\n    get:\n      operationId: get-item\n      responses:\n"
                                    + "        '200':\n          description: ok\n  /items/{id}:\n    get:\n"
                                    + "      operationId: get-item\n");
        api("a", twice);
        for (int i = 0; i < 2; i++) {
            ConfigException e = assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir, w -> { }, specs));
            assertTrue(e.getMessage().contains("operationId 'get-item' is used twice"), e.getMessage());
        }
        assertEquals(0, specs.size());
        api("a", SPEC);
        assertEquals("get-item", ApiOpsReader.read(dir, w -> { }, specs).api("a").orElseThrow().operations()
                .getFirst().id());
    }

    private void api(String id, String spec) throws IOException {
        write("apis/" + id + "/apiInformation.json", "{\"properties\": {\"path\": \"" + id + "\"}}");
        write("apis/" + id + "/specification.yaml", spec);
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
