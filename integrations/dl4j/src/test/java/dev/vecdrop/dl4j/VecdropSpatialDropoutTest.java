package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Dropout;
import dev.vecdrop.Seeds;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class VecdropSpatialDropoutTest {

    private static final long SEED = 99L;

    @Test
    void eachExampleChannelPairIsKeptOrDroppedWholeByTheContractAtTheDocumentedOffset() {
        VecdropSpatialDropout d = new VecdropSpatialDropout(0.6).withSeed(SEED);
        int n = 5;
        int c = 7;
        int s = 3 * 4;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c, 3, 4).addi(1);
        INDArray y = d.applyDropout(x, x.dup(), 6, 2, null);

        long[] words = new long[Dropout.maskWords(n * c)];
        Dropout.inverted(1 - 0.6).mask(Seeds.derive(SEED, 2), 6L << 32, words, 0, n * c);
        float scale = Dropout.inverted(1 - 0.6).trainScale();
        float[] xs = x.data().asFloat();
        float[] ys = y.data().asFloat();
        int kept = 0;
        for (int pair = 0; pair < n * c; pair++) {
            boolean keep = (words[pair >>> 6] >>> (pair & 63) & 1) != 0;
            kept += keep ? 1 : 0;
            for (int i = pair * s; i < (pair + 1) * s; i++) {
                assertEquals(keep ? xs[i] * scale : 0f, ys[i], "pair " + pair + ", element " + i);
            }
        }
        assertTrue(kept > 0 && kept < n * c, "some pairs kept, some dropped: " + kept);

        INDArray g = x.dup();
        d.backprop(g, g, 6, 2);
        assertArrayEquals(ys, g.data().asFloat(), "backprop regenerates the forward's decisions");
    }

    @Test
    void fOrderAndViewsGiveWhatTheirContiguousCopyGives() {
        VecdropSpatialDropout d = VecdropSpatialDropout.withDropProbability(0.5).withSeed(SEED);
        INDArray base = Nd4j.rand(DataType.FLOAT, 4, 6, 5).addi(1);
        INDArray[] inputs = {base.dup('f'), base.permute(0, 2, 1).dup('c').permute(0, 2, 1)};
        for (INDArray in : inputs) {
            INDArray expected = d.applyDropout(in.dup('c'), Nd4j.create(DataType.FLOAT, in.shape()), 1, 0, null);
            INDArray actual = d.applyDropout(in, Nd4j.create(DataType.FLOAT, in.shape(), 'f'), 1, 0, null);
            assertArrayEquals(expected.data().asFloat(), actual.dup('c').data().asFloat(), in.shapeInfoToString());
        }
    }

    @Test
    void badShapesAndProbabilitiesAreRejected() {
        VecdropSpatialDropout d = new VecdropSpatialDropout(0.5);
        INDArray matrix = Nd4j.rand(DataType.FLOAT, 4, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(matrix, matrix.dup(), 0, 0, null));
        assertTrue(e.getMessage().contains("[4, 6]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VecdropSpatialDropout(0));
        assertThrows(IllegalArgumentException.class, () -> new VecdropSpatialDropout(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> VecdropSpatialDropout.withDropProbability(1));
    }

    private static MultiLayerConfiguration cnn(VecdropSpatialDropout dropout) {
        return new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).dropOut(dropout).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1))
                .build();
    }

    @Test
    void aConvolutionalNetworkTrainsReproduciblyAndItsConfigurationRoundTrips() {
        VecdropSpatialDropout dropout = new VecdropSpatialDropout(0.7).withSeed(SEED);
        MultiLayerConfiguration conf = cnn(dropout);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(dropout, back.getConf(1).getLayer().getIDropout());

        // class 1: a bright square in the top-left quarter; class 0: noise only
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 1, 8, 8).muli(0.5);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 64, 2);
        for (int i = 0; i < 64; i++) {
            if (i % 2 == 1) {
                x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, 4),
                        NDArrayIndex.interval(0, 4)).addi(1);
            }
            labels.putScalar(i, i % 2, 1);
        }
        DataSet data = new DataSet(x, labels);
        MultiLayerNetwork a = Mlp.network(conf);
        double before = a.score(data, false);
        float[] pa = Mlp.train(a, data, 10);
        assertTrue(a.score(data, false) < before / 2, before + " -> " + a.score(data, false));
        assertArrayEquals(pa, Mlp.train(Mlp.network(back), data, 10), "same seed, same parameters");
        assertTrue(!java.util.Arrays.equals(pa, Mlp.train(Mlp.network(cnn(dropout.withSeed(SEED + 1))), data, 10)),
                "another dropout seed, other parameters: the dropout is applied");
    }
}
