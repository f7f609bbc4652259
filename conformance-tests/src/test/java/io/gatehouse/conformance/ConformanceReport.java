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
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes the conformance table when the suite ends to {@code target/conformance-report.md} (the build prints it):
 * one row per scenario (every test of this module), pass or fail, and how long it took. Registered through
 * {@code META-INF/services}, so every test class is in it without asking.
 */
public final class ConformanceReport implements TestExecutionListener {

    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final List<String[]> rows = Collections.synchronizedList(new ArrayList<>());

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
            return;
        }
        long nanos = System.nanoTime() - started.getOrDefault(test.getUniqueId(), System.nanoTime());
        String status = switch (result.getStatus()) {
            case SUCCESSFUL -> "PASS";
            case ABORTED -> "ABORTED";
            case FAILED -> "FAIL";
        };
        String why = result.getThrowable().map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("");
        rows.add(new String[] {area(test), test.getDisplayName(), status,
                               String.format("%.1f s", Duration.ofNanos(nanos).toMillis() / 1000.0), why});
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder("\n| Area | Scenario | Result | Time | Detail |\n|---|---|---|---|---|\n");
        long passed = 0;
        for (String[] row : rows) {
            table.append("| ").append(String.join(" | ", row).replace("\n", " ")).append(" |\n");
            passed += row[2].equals("PASS") ? 1 : 0;
        }
        table.append("\nConformance: ").append(passed).append(" of ").append(rows.size()).append(" scenarios pass.\n");
        try {
            Path report = Path.of("target/conformance-report.md");
            Files.createDirectories(report.getParent());
            Files.writeString(report, "# Gatehouse conformance\n" + table);
        } catch (IOException e) {
            System.out.println("(could not write target/conformance-report.md: " + e.getMessage() + ")");
        }
    }

    private static String area(TestIdentifier test) {
        return test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(m -> m.getJavaClass().getSimpleName().replaceAll("(Test|Suite)$", "")).orElse("");
    }
}
