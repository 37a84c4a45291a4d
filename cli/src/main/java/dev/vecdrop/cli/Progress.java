package dev.vecdrop.cli;

import java.io.PrintWriter;

/**
 * A one-line progress display on stderr that rewrites itself on a terminal and stays silent otherwise, so logs
 * and pipes get no carriage-return clutter.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class Progress {

    private final PrintWriter err;
    private final boolean terminal;

    Progress(PrintWriter err) {
        this.err = err;
        java.io.Console console = System.console();
        this.terminal = console != null && console.isTerminal();
    }

    void show(String line) {
        if (terminal) {
            err.print("\r\033[K" + line);
            err.flush();
        }
    }

    void clear() {
        show("");
    }
}
