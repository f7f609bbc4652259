package io.gatehouse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The report says how much each target moved between rounds, and warns when the machine's load changed. */
class RoundToRoundTest {

    @Test
    void steadyRoundsGiveEachRoundInOrderAndNoWarning() {
        String line = BenchMain.roundToRound(List.of("direct backend", "nginx"),
                                             List.of(new double[] {70_000, 75_000, 72_000},
                                                     new double[] {36_000, 34_000, 35_500}));
        assertEquals("\nRound to round, req/s: direct backend 70000 → 75000 → 72000; nginx 36000 → 34000 → 35500.\n", line);
    }

    @Test
    void aTargetThatMovedMoreThanTheSteadySpreadIsNamed() {
        String line = BenchMain.roundToRound(List.of("direct backend", "nginx", "Gatehouse"),
                                             List.of(new double[] {60_000, 87_000}, new double[] {35_000, 37_000},
                                                     new double[] {20_000, 25_000}));
        assertTrue(line.contains("**The machine's load changed during the run**"), line);
        assertTrue(line.contains("direct backend 1.45×"), line);
        assertTrue(line.contains("Gatehouse 1.25×"), line);
        assertFalse(line.contains("nginx 1.06×"), "nginx stayed within the steady spread: " + line);
    }

    @Test
    void theSpreadAtTheLimitIsSteady() {
        String line = BenchMain.roundToRound(List.of("nginx"), List.of(new double[] {50_000, 50_000 * BenchMain.STEADY_SPREAD}));
        assertFalse(line.contains("changed"), line);
    }

    @Test
    void oneRoundHasNothingToCompare() {
        assertEquals("", BenchMain.roundToRound(List.of("nginx"), List.of(new double[] {50_000})));
        assertEquals("", BenchMain.roundToRound(List.of(), List.of()));
    }
}
