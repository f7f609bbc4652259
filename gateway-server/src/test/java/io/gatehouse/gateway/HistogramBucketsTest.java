package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.gatehouse.telemetry.TelemetrySettings;

/** {@code observability.opentelemetry.histogram.buckets}: ascending positive milliseconds, and what is refused. */
class HistogramBucketsTest {

    private static final String KEY = "observability.opentelemetry.histogram.buckets";

    private static List<Double> buckets(String value) throws SettingsException {
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of(KEY, value));
        return SettingKey.parseBuckets(settings.string(SettingKey.OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS));
    }

    /** Unset, the buckets are APIM's defaults. */
    @Test
    void defaultIsApimBuckets() throws SettingsException {
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of());
        assertEquals(TelemetrySettings.APIM_BUCKETS,
                     SettingKey.parseBuckets(settings.string(SettingKey.OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS)));
    }

    /** Comma-separated ascending numbers are read as given, spaces and fractions allowed. */
    @Test
    void ascendingNumbersAreRead() throws SettingsException {
        assertEquals(List.of(7d, 70d), buckets("7,70"));
        assertEquals(List.of(0.5, 1d, 2.5, 1000d), buckets(" 0.5, 1 ,2.5,1000 "));
        assertEquals(List.of(42d), buckets("42"));
    }

    /** Anything else stops start-up with a message naming the key, where it came from, and the value. */
    @Test
    void badBucketsAreRefusedNamingTheKey() {
        for (String bad : List.of("", "abc", "10,5", "5,5", "0,5", "-1,5", "5,,10", "5,10,", "5;10", "NaN", "Infinity",
                                  "5d,10", "0x10", "1e3")) {
            SettingsException e = assertThrows(SettingsException.class, () -> buckets(bad), "'" + bad + "' is refused");
            assertTrue(e.getMessage().contains(KEY + " (from command line): must be ascending"), e.getMessage());
            assertTrue(e.getMessage().contains("was '" + bad + "'"), e.getMessage());
        }
    }
}
