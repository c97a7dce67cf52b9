package dev.quorum.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture history (src/test/resources/linearizability, from Porcupine) gets the verdict its
 * expected.tsv gives. The time per history is printed at the end (target/surefire-reports/*-output.txt).
 */
class FixtureVerdictsTest {
    private static final String DIR = "/linearizability/";
    private static final Map<String, Long> MILLIS = new ConcurrentHashMap<>();
    private static LinearizabilityChecker checker;

    @BeforeAll
    static void start() {
        checker = new LinearizabilityChecker(CheckOptions.defaults()
                .withTimeout(Duration.ofSeconds(30))
                .withMaxMemoBytesPerKey(128L << 20));
    }

    @AfterAll
    static void stop() {
        checker.close();
        long total = MILLIS.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> sorted = new TreeMap<>(MILLIS);
        String slowest = sorted.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5).map(e -> e.getKey() + " " + e.getValue() + " ms").toList().toString();
        System.out.printf("fixtures: %d histories checked in %d ms in all; slowest: %s%n", MILLIS.size(), total, slowest);
    }

    static List<Arguments> fixtures() {
        List<Arguments> rows = new ArrayList<>();
        try (BufferedReader in = open("expected.tsv")) {
            in.readLine();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] cols = line.split("\t");
                rows.add(Arguments.of(cols[0], Boolean.parseBoolean(cols[1])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(rows).hasSize(108);
        return rows;
    }

    @ParameterizedTest(name = "{0} linearizable={1}")
    @MethodSource("fixtures")
    void verdictMatches(String file, boolean linearizable) throws Exception {
        long t0 = System.nanoTime();
        CheckResult result;
        try (BufferedReader in = open(file)) {
            result = file.startsWith("etcd/")
                    ? checker.check(CasRegisterModel.INSTANCE, JepsenEtcdLog.read(in))
                    : checker.check(AppendKvModel.INSTANCE, JepsenKvLog.read(in));
        }
        MILLIS.put(file, (System.nanoTime() - t0) / 1_000_000);

        assertThat(result.verdict()).as(file)
                .isEqualTo(linearizable ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
        if (!linearizable) {
            Violation v = result.violations().get(0);
            assertThat(v.window()).as(file).contains(v.operation());
            assertThat(v.explanation()).as(file).contains("is not linearizable");
        }
    }

    static BufferedReader open(String name) {
        InputStream in = FixtureVerdictsTest.class.getResourceAsStream(DIR + name);
        assertThat(in).as(name).isNotNull();
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
