package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Two DL4J layers hand their dropout's backward the gradient in another layout than the forward's input
 * (ConvolutionLayer NHWC: {@code [N, H, W, C]} then {@code [N, C, H, W]}; SimpleRnn NWC: {@code [N, T, C]} then
 * {@code [N, C, T]}). A mask regenerated in c order would then be a shuffled one, and the gradient silently wrong
 * (a review helper's finite-difference check failed on all 76 parameters of the convolution, stop 32), where DL4J's
 * own dropout fails with a shape error. vecdrop's layers now throw too, naming the way out (a DropoutLayer in front),
 * which trains; gaussian noise, whose backward is the identity, is right in any layout and still trains.
 */
class PermutedLayoutTest {

    @Test
    void anNhwcConvolutionsDropoutRefusesItsPermutedGradient() {
        for (IDropout dropout : new IDropout[] {new VecdropDropout(0.5).withSeed(5), new VecdropAlphaDropout(0.8),
                new VecdropGaussianDropout(0.3)}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fitNhwc(
                    new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).dropOut(dropout).build()),
                    dropout.toString());
            assertTrue(e.getMessage().contains("another layout"), e.getMessage());
        }
    }

    @Test
    void anNwcSimpleRnnsDropoutRefusesItsPermutedGradient() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fitNwc(
                new SimpleRnn.Builder().nIn(3).nOut(3).dataFormat(RNNFormat.NWC)
                        .dropOut(new VecdropDropout(0.5).withSeed(5)).build()));
        assertTrue(e.getMessage().contains("another layout"), e.getMessage());
    }

    @Test
    void aDropoutLayerInFrontAndGaussianNoiseTrainInThoseLayouts() {
        assertDoesNotThrow(() -> fitNhwc(new DropoutLayer.Builder(new VecdropDropout(0.5).withSeed(5)).build()));
        assertDoesNotThrow(() -> fitNhwc(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC)
                .dropOut(new VecdropGaussianNoise(0.1)).build()));
        assertDoesNotThrow(() -> fitNwc(new DropoutLayer.Builder(new VecdropDropout(0.5).withSeed(5)).build()));
        assertDoesNotThrow(() -> fitNchw(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NCHW)
                .dropOut(new VecdropDropout(0.5).withSeed(5)).build()));
    }

    @Test
    void oneInstanceServingLayersOfTwoShapesChecksEachBackwardAgainstEitherForward() {
        VecdropDropout shared = new VecdropDropout(0.5).withSeed(3);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray b = Nd4j.rand(DataType.FLOAT, 4, 10);
        shared.applyDropout(a, a.dup(), 7, 0, none); // layer 1's forward, then layer 2's
        shared.applyDropout(b, b.dup(), 7, 0, none);
        assertDoesNotThrow(() -> shared.backprop(b.dup(), b.dup(), 7, 0)); // layer 2's backward, then layer 1's
        assertDoesNotThrow(() -> shared.backprop(a.dup(), a.dup(), 7, 0));
        INDArray permuted = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray untouched = permuted.dup();
        INDArray gradient = permuted.dup();
        assertThrows(IllegalStateException.class, () -> shared.backprop(permuted, gradient, 7, 0));
        assertTrue(untouched.equals(gradient), "a refused backward wrote its output");
        assertDoesNotThrow(() -> shared.backprop(permuted, permuted.dup(), 8, 0)); // no forward at those counts
    }

    /**
     * Networks built from one layer configuration share its dropout instance and train on threads of their own, each
     * at its own counts: one thread's forwards must not empty another's record (a review helper saw right backwards
     * refused within a few iterations of two such networks, stop 32).
     */
    @Test
    void oneInstanceSharedByNetworksOnTwoThreadsChecksEachThreadAgainstItsOwnForwards() throws Exception {
        VecdropDropout shared = new VecdropDropout(0.5).withSeed(3);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray b = Nd4j.rand(DataType.FLOAT, 5, 6);
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            shared.applyDropout(a, a.dup(), 5, 0, none); // network A's forward at iteration 5
            other.submit(() -> { // network B, one iteration behind, then caught up
                shared.applyDropout(b, b.dup(), 4, 0, none);
                shared.backprop(b.dup(), b.dup(), 4, 0);
                shared.applyDropout(b, b.dup(), 5, 0, none);
            }).get();
            assertDoesNotThrow(() -> shared.backprop(a.dup(), a.dup(), 5, 0)); // A's backward
            assertThrows(IllegalStateException.class, () -> shared.backprop(b.dup(), b.dup(), 5, 0),
                    "this thread's forward at iteration 5 had shape [4, 6]");
        } finally {
            other.shutdown();
        }
    }

    private static void fitNhwc(Layer layer) {
        fit(layer, new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build(),
                new OutputLayer.Builder().nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build(),
                InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC), Nd4j.rand(DataType.FLOAT, 2, 6, 6, 2),
                Nd4j.rand(DataType.FLOAT, 2, 2));
    }

    private static void fitNchw(Layer layer) {
        fit(layer, new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NCHW).build(),
                new OutputLayer.Builder().nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build(),
                InputType.convolutional(6, 6, 2, CNN2DFormat.NCHW), Nd4j.rand(DataType.FLOAT, 2, 2, 6, 6),
                Nd4j.rand(DataType.FLOAT, 2, 2));
    }

    private static void fitNwc(Layer layer) {
        fit(layer, new LSTM.Builder().nIn(4).nOut(3).dataFormat(RNNFormat.NWC).build(),
                new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).dataFormat(RNNFormat.NWC).nIn(3).nOut(2)
                        .build(),
                InputType.recurrent(4, 5, RNNFormat.NWC), Nd4j.rand(DataType.FLOAT, 3, 5, 4),
                Nd4j.rand(DataType.FLOAT, 3, 5, 2));
    }

    /** One training step of {@code first, layer, last}: forward, backward through {@code layer}, update. */
    private static void fit(Layer layer, Layer first, Layer last, InputType type, INDArray x, INDArray y) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.01)).list()
                .layer(first).layer(layer).layer(last).setInputType(type).build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        network.fit(new DataSet(x, y));
    }
}
