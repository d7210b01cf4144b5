package io.sluice.processor;

import io.sluice.runtime.ServiceMain;

/** Runs one processor replica: {@code java -jar stream-processor-all.jar [--config FILE] [--set key=value ...]}. */
public final class ProcessorMain {

    private ProcessorMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run("stream-processor", () -> StreamProcessor.start(ProcessorConfig.load(args, System.getenv())));
    }
}
