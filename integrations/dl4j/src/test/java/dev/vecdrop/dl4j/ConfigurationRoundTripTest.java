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
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The seed and parameter are configuration: they survive DL4J's JSON and Java serialization. */
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

    private static final VecdropAlphaDropout ALPHA = new VecdropAlphaDropout(0.9).withSeed(-77);
    private static final VecdropGaussianDropout GAUSSIAN = new VecdropGaussianDropout(0.35).withSeed(1L << 40);
    private static final VecdropGaussianNoise NOISE = new VecdropGaussianNoise(0.125).withSeed(Long.MIN_VALUE);

    /** Alpha dropout on the first hidden layer, gaussian dropout on the second; noise on the first of another. */
    private static MultiLayerConfiguration[] familyConfs() {
        return new MultiLayerConfiguration[] {
                Mlp.conf(7, 10, 16, 3, ALPHA, GAUSSIAN), Mlp.conf(7, 10, 16, 3, NOISE, null)};
    }

    @Test
    void alphaGaussianDropoutAndNoiseSurviveJsonAndJavaSerializationWithTheirParametersAndSeeds() throws Exception {
        MultiLayerConfiguration[] confs = familyConfs();
        MultiLayerConfiguration[] fromJson = {
                MultiLayerConfiguration.fromJson(confs[0].toJson()),
                MultiLayerConfiguration.fromJson(confs[1].toJson())};
        MultiLayerConfiguration[] fromJava = {
                (MultiLayerConfiguration) roundTrip(confs[0]), (MultiLayerConfiguration) roundTrip(confs[1])};
        assertTrue(confs[0].toJson().contains("\"rate\" : 0.35"), confs[0].toJson());
        for (MultiLayerConfiguration[] back : new MultiLayerConfiguration[][] {fromJson, fromJava}) {
            assertEquals(confs[0], back[0]);
            assertEquals(confs[1], back[1]);
            IDropout[] expected = {ALPHA, GAUSSIAN, NOISE};
            IDropout[] actual = {back[0].getConf(0).getLayer().getIDropout(),
                    back[0].getConf(1).getLayer().getIDropout(), back[1].getConf(0).getLayer().getIDropout()};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i]);
                assertSameOutput(expected[i], actual[i]); // the transient library layer is rebuilt, not null
            }
        }
        for (IDropout d : new IDropout[] {ALPHA, GAUSSIAN, NOISE}) {
            IDropout back = (IDropout) roundTrip(d);
            assertEquals(d, back);
            assertSameOutput(d, back);
        }
    }

    /**
     * Layers serialized by the classes of stop 18, before they shared {@code SeededDropout} (written once by a
     * program against those classes: resource {@code layers-stop18.ser}), read back as equal layers with the same
     * {@code toString} and outputs: the base class added no serialized field and moved none.
     */
    @Test
    void layersSerializedBeforeTheBaseClassStillReadBack() throws Exception {
        IDropout[] expected = {SECOND, new VecdropSpatialDropout(0.7).withSeed(-5), ALPHA, GAUSSIAN, NOISE};
        try (ObjectInputStream in = new ObjectInputStream(
                ConfigurationRoundTripTest.class.getResourceAsStream("layers-stop18.ser"))) {
            for (IDropout layer : expected) {
                IDropout back = (IDropout) in.readObject();
                assertEquals(layer, back);
                assertEquals(layer.toString(), back.toString());
                assertSameOutput(layer, back);
            }
        }
    }

    private static void assertSameOutput(IDropout expected, IDropout actual) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 64).addi(1); // rank 3: the spatial layer's smallest
        assertArrayEquals(expected.applyDropout(x, x.dup(), 11, 2, null).data().asFloat(),
                actual.applyDropout(x, x.dup(), 11, 2, null).data().asFloat(), expected.toString());
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
