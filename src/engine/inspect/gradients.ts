// tfjs-core registers no gradient functions by itself (the union @tensorflow/tfjs package does);
// Grad-CAM and filter synthesis need them. Registration is global and idempotent.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
