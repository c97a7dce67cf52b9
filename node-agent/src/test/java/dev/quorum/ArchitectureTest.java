package dev.quorum;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.quorum.agent.store.SqliteStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package boundaries of docs/architecture.md, checked on the main classes. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.quorum");
    }

    static final ArchRule STORE_KNOWS_NOTHING_OF_HTTP = noClasses()
            .that().resideInAPackage("dev.quorum.agent.store..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "okhttp3..", "dev.quorum.agent.http..")
            .because("the store is storage only: HTTP statuses are chosen in one place, the http package");

    static final ArchRule HTTP_DOES_NOT_TOUCH_SQL = noClasses()
            .that().resideInAPackage("dev.quorum.agent.http..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..")
            .because("handlers go through the replication layer; only the store talks to SQLite");

    static final ArchRule CLIENT_IS_INDEPENDENT_OF_THE_AGENT = noClasses()
            .that().resideInAPackage("dev.quorum.client..")
            .should().dependOnClassesThat().resideInAPackage("dev.quorum.agent..")
            .because("the client is shipped to the console and tools, which must not pull in the agent");

    static final ArchRule NO_JAVAFX = noClasses()
            .that().resideInAPackage("dev.quorum..")
            .should().dependOnClassesThat().resideInAPackage("javafx..")
            .because("the agent and its client run headless; JavaFX belongs to the console module only");

    /** The class itself or a class it is nested in is named *Main or *Cli: a command-line entry point. */
    private static final DescribedPredicate<JavaClass> COMMAND_LINE_ENTRY_POINT = DescribedPredicate.describe(
            "are part of a class named *Main or *Cli", c -> {
                for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
                    String name = k.get().getSimpleName();
                    if (name.endsWith("Main") || name.endsWith("Cli")) {
                        return true;
                    }
                }
                return false;
            });

    /**
     * Like GeneralCodingRules.ACCESS_STANDARD_STREAMS, which misses the overloads such as
     * {@code printStackTrace(PrintWriter)}: every printStackTrace of every Throwable counts here.
     */
    private static final ArchCondition<JavaClass> WRITE_TO_STANDARD_STREAMS =
            new ArchCondition<>("access System.out, System.err or call Throwable.printStackTrace") {
                @Override
                public void check(JavaClass item, ConditionEvents events) {
                    for (JavaFieldAccess access : item.getFieldAccessesFromSelf()) {
                        String name = access.getTarget().getName();
                        if (access.getTargetOwner().isEquivalentTo(System.class)
                                && (name.equals("out") || name.equals("err"))) {
                            events.add(SimpleConditionEvent.satisfied(access, access.getDescription()));
                        }
                    }
                    for (JavaMethodCall call : item.getMethodCallsFromSelf()) {
                        if (call.getName().equals("printStackTrace")
                                && call.getTargetOwner().isAssignableTo(Throwable.class)) {
                            events.add(SimpleConditionEvent.satisfied(call, call.getDescription()));
                        }
                    }
                }
            };

    static final ArchRule NO_STANDARD_STREAMS_OUTSIDE_COMMAND_LINES = noClasses()
            .that(DescribedPredicate.not(COMMAND_LINE_ENTRY_POINT))
            .should(WRITE_TO_STANDARD_STREAMS)
            .because("the agent logs through SLF4J so every line is structured and captured; only command-line"
                    + " entry points talk to the terminal");

    @Test
    void theImportHoldsMainCodeOnly() {
        assertThat(classes.contain(SqliteStore.class)).isTrue();
        assertThat(classes.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void storeDoesNotDependOnHttp() {
        STORE_KNOWS_NOTHING_OF_HTTP.check(classes);
    }

    @Test
    void httpDoesNotDependOnSql() {
        HTTP_DOES_NOT_TOUCH_SQL.check(classes);
    }

    @Test
    void clientDoesNotDependOnTheAgent() {
        CLIENT_IS_INDEPENDENT_OF_THE_AGENT.check(classes);
    }

    @Test
    void nothingDependsOnJavafx() {
        NO_JAVAFX.check(classes);
    }

    @Test
    void onlyCommandLineEntryPointsWriteToTheTerminal() {
        NO_STANDARD_STREAMS_OUTSIDE_COMMAND_LINES.check(classes);
    }

    // ---------------------------------------------------------------- the rules can fail

    @Test
    void dependencyRulesSeeRealDependencies() {
        // The same rule shapes, aimed at dependencies the code really has, must report them.
        assertThat(noClasses().that().resideInAPackage("dev.quorum.agent.http..")
                .should().dependOnClassesThat().resideInAPackage("io.netty..")
                .evaluate(classes).hasViolation()).isTrue();
        assertThat(noClasses().that().resideInAPackage("dev.quorum.agent.store..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..")
                .evaluate(classes).hasViolation()).isTrue();
        assertThat(noClasses().that().resideInAPackage("dev.quorum.client..")
                .should().dependOnClassesThat().resideInAPackage("okhttp3..")
                .evaluate(classes).hasViolation()).isTrue();
    }

    @Test
    void theStreamRuleCatchesEveryWayOfPrinting() {
        for (Class<?> offender : new Class<?>[] {
            PrintsToStdout.class, PrintsToStderrByMethodReference.class, PrintsStackTrace.class,
            PrintsStackTraceToAWriter.class
        }) {
            assertThat(NO_STANDARD_STREAMS_OUTSIDE_COMMAND_LINES
                    .evaluate(new ClassFileImporter().importClasses(offender, Quiet.class)).hasViolation())
                    .as(offender.getSimpleName()).isTrue();
        }
    }

    @Test
    void theStreamRuleAllowsMainAndCliClasses() {
        JavaClasses allowed = new ClassFileImporter()
                .importClasses(Quiet.class, ToolMain.class, ToolMain.Usage.class, ToolCli.class);

        assertThat(NO_STANDARD_STREAMS_OUTSIDE_COMMAND_LINES.evaluate(allowed).hasViolation()).isFalse();
    }

    static final class Quiet {
        String run() {
            return String.valueOf(System.nanoTime());
        }
    }

    static final class PrintsToStdout {
        void run() {
            System.out.println("hello");
        }
    }

    static final class PrintsToStderrByMethodReference {
        Consumer<String> printer() {
            return System.err::println;
        }
    }

    static final class PrintsStackTrace {
        void run(IOException e) {
            e.printStackTrace();
        }
    }

    static final class PrintsStackTraceToAWriter {
        void run(IllegalStateException e) {
            e.printStackTrace(new PrintWriter(new StringWriter()));
        }
    }

    static final class ToolMain {
        void run() {
            System.out.println("ready");
        }

        static final class Usage {
            void run() {
                System.err.println("usage: tool");
            }
        }
    }

    static final class ToolCli {
        void run(Exception e) {
            e.printStackTrace();
        }
    }
}
