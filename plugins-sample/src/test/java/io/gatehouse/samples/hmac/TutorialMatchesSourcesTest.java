package io.gatehouse.samples.hmac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** docs/writing-a-policy.md shows this module's code: every block marked with a file is that file, verbatim. */
class TutorialMatchesSourcesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("<!-- file: (\\S+) -->\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);

    /** Each file block equals its file, and the tutorial shows the provider, the policy and the services entry. */
    @Test
    void tutorialBlocksAreTheSources() throws Exception {
        String tutorial = Files.readString(ROOT.resolve("docs/writing-a-policy.md"));
        Matcher m = BLOCK.matcher(tutorial);
        List<String> shown = new ArrayList<>();
        while (m.find()) {
            Path file = ROOT.resolve(m.group(1));
            assertEquals(Files.readString(file).stripTrailing(), m.group(2).stripTrailing(),
                         "docs/writing-a-policy.md differs from " + m.group(1));
            shown.add(file.getFileName().toString());
        }
        assertTrue(shown.containsAll(List.of("ValidateHmacSignatureProvider.java", "ValidateHmacSignature.java",
                                             "io.gatehouse.policy.spi.PolicyProvider")), shown.toString());
    }
}
