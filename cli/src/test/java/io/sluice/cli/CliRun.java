package io.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/** One in-process run of the CLI, as a user would type it, with what it printed and its exit status. */
record CliRun(int status, String out, String err) {

    static CliRun of(String... args) {
        CommandLine line = SluiceCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int status = line.execute(args);
        return new CliRun(status, out.toString(), err.toString());
    }
}
