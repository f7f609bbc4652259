package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse validate DIR}, as nginx -t: every problem with file and line, exit 1; a good folder exits 0. */
class ValidateCommandTest {

    @TempDir
    Path dir;

    private static String run(String... args) {
        PrintStream previous = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = GatewayMain.execute(args);
            return code + "\n" + out.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(previous);
        }
    }

    /** Problems in several files are all listed, each with its file and line. */
    @Test
    void listsEveryProblem() {
        new TestFolder(dir)
                .api("a", "a", "http://127.0.0.1:1", false, "GET /x")
                .write("apis/a/policy.xml", "<policies>\n<inbound>\n<no-such-policy/>\n"
                        + "<set-header name=\"h\" exists-action=\"override\"><value>@(context.Request.Method +)</value>"
                        + "</set-header>\n</inbound>\n</policies>")
                .write("products/p/productInformation.json", "{\"properties\": {\n\"state\": published\n}}");
        String output = run("validate", dir.toString());
        assertTrue(output.startsWith("1\n"), output);
        assertTrue(output.contains("products/p/productInformation.json:2:"), output);
        assertTrue(output.contains("apis/a/policy.xml:3:"), output);
        assertTrue(output.contains("<no-such-policy>"), output);
        assertTrue(output.contains("apis/a/policy.xml:4:") && output.contains("expression at"), output);
    }

    /** The quickstart is valid. */
    @Test
    void quickstartIsValid() {
        String output = run("validate", Path.of("..", "examples", "quickstart").toString());
        assertEquals("0", output.substring(0, output.indexOf('\n')), output);
        assertTrue(output.contains(": OK, revision "), output);
    }
}
