package io.sluice.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice status}: each process of the native stack, its pid, state, address and health. */
@Command(name = "status", header = "Each process, its pid, address and health",
        description = "Each process of the native stack, its pid, address and health (HAProxy: each bridge UP or DOWN and its connections).")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        List<StackProcesses.Process> processes = StackProcesses.all(StackOptions.home());
        if (processes.isEmpty()) {
            out.println("The stack has not been started here (" + StackOptions.home() + "): ./sluice up");
        } else {
            out.printf("%-14s %-8s %-8s %-22s %s%n", "PROCESS", "PID", "STATE", "ADDRESS", "HEALTH");
            for (StackProcesses.Process p : processes) {
                out.printf("%-14s %-8s %-8s %-22s %s%n", p.name(), p.running() ? Long.toString(p.pid()) : "-",
                        p.running() ? "running" : "stopped", p.address(), StackProcesses.health(p));
            }
        }
        out.flush();
        return 0;
    }
}
