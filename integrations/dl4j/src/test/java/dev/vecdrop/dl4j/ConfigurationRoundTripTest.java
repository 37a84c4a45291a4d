package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The seed and probability are configuration: they survive DL4J's JSON and Java serialization. */
class ConfigurationRoundTripTest {

    private static final VecdropDropout FIRST = VecdropDropout.withDropProbability(0.2).withSeed(-0x1234_5678_9abcL);
    private static final VecdropDropout SECOND = new VecdropDropout(0.6).withSeed(42);

    private static MultiLayerConfiguration conf() {
        return Mlp.conf(7, 10, 16, 3, FIRST, SECOND);
    }

    @Test
    void multiLayerConfigurationJsonRoundTripKeepsProbabilityAndSeed() {
        String json = conf().toJson();
        assertTrue(json.contains("\"dropProbability\" : 0.2") && json.contains("-20015998343868"), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);

        assertEquals(FIRST, back.getConf(0).getLayer().getIDropout());
        assertEquals(SECOND, back.getConf(1).getLayer().getIDropout());
        assertNull(back.getConf(2).getLayer().getIDropout());
        assertEquals(conf(), back);
        assertSameMasks(FIRST, (VecdropDropout) back.getConf(0).getLayer().getIDropout());
    }

    @Test
    void javaSerializationRoundTripOfTheDropoutAndOfTheConfiguration() throws Exception {
        VecdropDropout back = assertInstanceOf(VecdropDropout.class, roundTrip(SECOND));
        assertEquals(SECOND, back);
        assertSameMasks(SECOND, back); // the transient vecdrop Dropout is rebuilt, not left null

        MultiLayerConfiguration conf = assertInstanceOf(MultiLayerConfiguration.class, roundTrip(conf()));
        assertEquals(FIRST, conf.getConf(0).getLayer().getIDropout());
        assertSameMasks(FIRST, (VecdropDropout) conf.getConf(0).getLayer().getIDropout());
    }

    private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    private static void assertSameMasks(VecdropDropout expected, VecdropDropout actual) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 64).addi(1);
        assertArrayEquals(expected.applyDropout(x, x.dup(), 11, 2, null).data().asFloat(),
                actual.applyDropout(x, x.dup(), 11, 2, null).data().asFloat());
    }
}
