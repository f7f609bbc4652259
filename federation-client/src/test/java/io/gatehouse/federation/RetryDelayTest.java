package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wait between checks while the management plane fails: 1 s doubling to 60 s, ±20 % jitter, reset by a success. */
class RetryDelayTest {

    private static List<Duration> bases(int failures) {
        List<Duration> bases = new ArrayList<>();
        RetryDelay delay = RetryDelay.first();
        for (int i = 0; i < failures; i++) {
            bases.add(delay.base());
            delay = delay.afterFailure();
        }
        return bases;
    }

    /** The first retry waits 1 s; each further failure doubles it, and from 64 s on it stays at 60 s. */
    @Test
    void doublesFromOneSecondAndCapsAtSixty() {
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L, 60L),
                     bases(10).stream().map(Duration::toSeconds).toList());
    }

    /** However many failures came before, a success brings the next delay back to 1 s. */
    @Test
    void successResetsToOneSecond() {
        RetryDelay capped = RetryDelay.first();
        for (int i = 0; i < 20; i++) {
            capped = capped.afterFailure();
        }
        assertEquals(Duration.ofSeconds(60), capped.base());
        assertEquals(Duration.ofSeconds(1), capped.afterSuccess().base());
        assertEquals(Duration.ofSeconds(2), capped.afterSuccess().afterFailure().base(), "and doubles again from there");
    }

    /** The lowest random unit gives 80 % of the base, the highest just under 120 %. */
    @Test
    void jitterBandEnds() {
        for (Duration base : bases(8)) {
            RetryDelay delay = new RetryDelay(base);
            assertEquals(base.multipliedBy(8).dividedBy(10), delay.jittered(0));
            assertEquals(base.multipliedBy(12).dividedBy(10), delay.jittered(Math.nextDown(1.0)), "rounded to the ms");
            assertEquals(base, delay.jittered(0.5));
        }
    }

    /** Random waits stay within ±20 % of the base and spread over that band rather than clustering. */
    @Test
    void randomWaitsStayInTheBandAndSpreadOverIt() {
        SplittableRandom random = new SplittableRandom(4);
        for (Duration base : bases(8)) {
            RetryDelay delay = new RetryDelay(base);
            long low = base.toMillis() * 8 / 10;
            long high = base.toMillis() * 12 / 10;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long wait = delay.jittered(random.nextDouble()).toMillis();
                assertTrue(wait >= low && wait <= high, wait + " ms is outside " + low + "–" + high + " ms");
                min = Math.min(min, wait);
                max = Math.max(max, wait);
            }
            long band = high - low;
            assertTrue(min < low + band / 10 && max > high - band / 10,
                       "waits for " + base + " span only " + min + "–" + max + " ms");
        }
    }

    /** A random unit outside [0, 1) is a bug in the caller, not a long wait. */
    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.0, 7.0, Double.NaN})
    void refusesARandomUnitOutsideZeroToOne(double unit) {
        assertThrows(IllegalArgumentException.class, () -> RetryDelay.first().jittered(unit));
    }
}
