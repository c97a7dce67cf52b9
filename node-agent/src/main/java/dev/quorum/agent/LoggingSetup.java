package dev.quorum.agent;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Switches logging to JSON lines in the node's log file (quorum-agent-logback.xml). */
public final class LoggingSetup {
    private LoggingSetup() {}

    public static void configure(Path logFile, String nodeId, String role) {
        System.setProperty("quorum.log.file", logFile.toAbsolutePath().toString());
        System.setProperty("quorum.node", nodeId);
        System.setProperty("quorum.role", role);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(LoggingSetup.class.getResource("/quorum-agent-logback.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("logging configuration is broken: " + e.getMessage(), e);
        }
    }

    /** Flushes asynchronous appenders before the process exits. */
    public static void flush() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
