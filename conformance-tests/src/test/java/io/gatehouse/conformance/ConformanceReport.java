package io.gatehouse.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes the conformance table when the suite ends to {@code target/conformance-report.md} (the build prints it):
 * one row per scenario (every test of this module), pass or fail, and how long it took, and a row for a test class
 * whose setting up failed. Registered through {@code META-INF/services}, so every test class is in it without asking.
 *
 * <p>The module's tests do not fail the build themselves, so that the table is printed also when a scenario fails; the
 * build fails afterwards on {@code target/conformance-failures.txt}, written here at the start ("did not finish",
 * in case the test JVM dies) and replaced at the end by the list of failures, or removed if every scenario passed.
 */
public final class ConformanceReport implements TestExecutionListener {

    private static final Path REPORT = Path.of("target/conformance-report.md");
    private static final Path FAILURES = Path.of("target/conformance-failures.txt");
    /** The scenario column of a test class's own failure, which is not a scenario. */
    private static final String CLASS_ROW = "(setting up or stopping this class's scenarios)";

    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final List<String[]> rows = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        write(FAILURES, "The conformance suite started but did not finish: its test JVM ended early (see"
                + " target/surefire-reports).\n");
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            started.put(test.getUniqueId(), System.nanoTime());
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest()) {
            rows.add(new String[] {area(test), test.getDisplayName(), "SKIPPED", "", reason});
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            // A class whose @BeforeAll or @AfterAll failed: its scenarios did not run (or did not clean up).
            if (result.getStatus() == TestExecutionResult.Status.FAILED && test.getSource().filter(ClassSource.class::isInstance)
                    .isPresent()) {
                rows.add(new String[] {area(test), CLASS_ROW, "FAIL", "", why(result)});
            }
            return;
        }
        long nanos = System.nanoTime() - started.getOrDefault(test.getUniqueId(), System.nanoTime());
        String status = switch (result.getStatus()) {
            case SUCCESSFUL -> "PASS";
            case ABORTED -> "ABORTED";
            case FAILED -> "FAIL";
        };
        rows.add(new String[] {area(test), test.getDisplayName(), status,
                               String.format("%.1f s", Duration.ofNanos(nanos).toMillis() / 1000.0), why(result)});
    }

    private static String why(TestExecutionResult result) {
        return result.getThrowable().map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("");
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        StringBuilder table = new StringBuilder("\n| Area | Scenario | Result | Time | Detail |\n|---|---|---|---|---|\n");
        StringBuilder failures = new StringBuilder();
        long passed = 0;
        long classes = 0;
        for (String[] row : rows) {
            table.append("| ").append(String.join(" | ", row).replace("\n", " ")).append(" |\n");
            if (row[1].equals(CLASS_ROW)) {
                classes++;
            }
            if (row[2].equals("PASS")) {
                passed++;
            } else {
                failures.append("  ").append(row[2]).append(": ").append(row[0]).append(": ").append(row[1]).append(" (")
                        .append(row[4]).append(")\n");
            }
        }
        table.append("\nConformance: ").append(passed).append(" of ").append(rows.size() - classes).append(" scenarios pass.");
        if (classes > 0) {
            table.append(" ").append(classes).append(classes == 1 ? " test class" : " test classes")
                    .append(" failed to set up or stop; scenarios that did not run are not in the table.");
        }
        table.append('\n');
        if (!rows.isEmpty()) {
            write(REPORT, "# Gatehouse conformance\n" + table);
        }
        if (failures.isEmpty()) {
            try {
                Files.deleteIfExists(FAILURES);
            } catch (IOException e) {
                System.out.println("(could not remove " + FAILURES + ": " + e.getMessage() + ")");
            }
        } else {
            write(FAILURES, failures.toString());
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            System.out.println("(could not write " + file + ": " + e.getMessage() + ")");
        }
    }

    private static String area(TestIdentifier test) {
        return test.getSource().map(source -> source instanceof MethodSource m ? m.getJavaClass()
                        : source instanceof ClassSource c ? c.getJavaClass() : null)
                .map(c -> c.getSimpleName().replaceAll("(Test|Suite)$", "")).orElse("");
    }
}
