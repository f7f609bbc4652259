package io.gatehouse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The harness refuses a bad command line whole, naming what was wrong, before it starts any process. */
class BenchOptionsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cli = new CommandLine(new BenchMain.Options());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void defaults() {
        BenchMain.Options options = new BenchMain.Options();
        new CommandLine(options).parseArgs();
        options.validate();
        assertEquals(15, options.duration);
        assertEquals(20, options.warmup);
        assertEquals(50, options.connections);
        assertEquals(3, options.rounds);
        assertEquals(List.of("proxy", "scale", "propagation"), options.scenarios);
    }

    @Test
    void givenValues() {
        BenchMain.Options options = new BenchMain.Options();
        new CommandLine(options).parseArgs("--duration", "5", "--warmup", "0", "--rounds", "1", "--scenarios", "scale,proxy");
        options.validate();
        assertEquals(5, options.duration);
        assertEquals(0, options.warmup);
        assertEquals(1, options.rounds);
        assertEquals(List.of("scale", "proxy"), options.scenarios);
    }

    @Test
    void helpDescribesTheOptionsAndRunsNothing() {
        assertEquals(0, execute("--help"));
        assertTrue(out.toString().contains("--scenarios"), out.toString());
        assertTrue(out.toString().contains("--rounds"), out.toString());
    }

    /** Exit 2, and the error says {@code expected}: picocli's usage follows it, and nothing has started. */
    private void assertRefused(String expected, String... args) {
        assertEquals(2, execute(args));
        assertTrue(err.toString().contains(expected), err.toString());
    }

    @Test
    void unknownOptionIsNamed() {
        assertRefused("Unknown options: '--durration'", "--durration", "5");
    }

    @Test
    void optionWithoutItsValue() {
        assertRefused("Missing required parameter for option '--rounds'", "--rounds");
    }

    @Test
    void notANumber() {
        assertRefused("Invalid value for option '--duration': 'ten' is not an int", "--duration", "ten");
    }

    @Test
    void outOfRange() {
        assertRefused("--rounds must be at least 1, got 0", "--rounds", "0");
        assertRefused("--warmup must be at least 0, got -1", "--warmup", "-1");
    }

    @Test
    void unknownScenarioIsNamedWithTheChoices() {
        assertRefused("unknown scenario 'scael'; choose from proxy, scale, propagation", "--scenarios", "proxy,scael");
    }
}
