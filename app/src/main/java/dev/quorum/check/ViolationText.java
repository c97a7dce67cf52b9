package dev.quorum.check;

import java.util.List;

/** The human-readable form of a {@link Violation}. */
final class ViolationText {
    /** Longer windows are cut in the text (the JSON form keeps every operation). */
    static final int MAX_LINES = 40;

    private ViolationText() {}

    static String render(String key, Violation.Step failing, List<String> possible, List<String> before,
            List<Violation.Step> context, List<Violation.Step> window, boolean minimal) {
        String subject = key.isEmpty() ? "the object" : "key " + Quote.string(key);
        StringBuilder b = new StringBuilder();
        b.append(Character.toUpperCase(subject.charAt(0))).append(subject.substring(1)).append(" is not linearizable.\n");
        b.append("  ").append(failing.operation()).append(" (process ").append(failing.process())
                .append(", ").append(failing.invokeNs()).append(" .. ").append(failing.completeNs())
                .append(") cannot take effect anywhere between its invocation and its completion:\n");
        b.append("  in every order of the earlier operations that fits real time, ").append(subject)
                .append(" holds ").append(oneOf(possible)).append(" when it completes.\n");
        if (minimal) {
            b.append("  Smallest failing window: ").append(window.size()).append(window.size() == 1 ? " operation" : " operations")
                    .append(", starting with ").append(subject).append(" holding ").append(oneOf(before)).append(":\n");
        } else {
            b.append("  The search for a smaller window ran out of budget; the whole history up to it (")
                    .append(window.size()).append(" operations) fails:\n");
        }
        if (!context.isEmpty()) {
            b.append("    before the window (leaving ").append(oneOf(before)).append("):\n");
            lines(b, context);
            b.append("    the window:\n");
        }
        lines(b, window);
        return b.toString();
    }

    private static void lines(StringBuilder b, List<Violation.Step> steps) {
        int shown = Math.min(steps.size(), MAX_LINES);
        for (int i = 0; i < shown; i++) {
            b.append("      ").append(steps.get(i).line()).append('\n');
        }
        if (steps.size() > shown) {
            b.append("      … and ").append(steps.size() - shown).append(" more (see the JSON form)\n");
        }
    }

    private static String oneOf(List<String> states) {
        if (states.size() == 1) {
            return states.get(0);
        }
        return "one of " + String.join(", ", states);
    }
}
