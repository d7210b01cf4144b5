package io.sluice.bridge;

import io.sluice.runtime.ServiceMain;

/** Runs one MQTT bridge: {@code java -jar mqtt-bridge-all.jar [--config FILE] [--set key=value ...]}. */
public final class BridgeMain {

    private BridgeMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run("mqtt-bridge", () -> MqttBridge.start(BridgeConfig.load(args, System.getenv())));
    }
}
