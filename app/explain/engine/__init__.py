"""The explain engine's pure core: calculators registered by name."""

from app.explain.engine import registry
from app.explain.engine.activation import Activation
from app.explain.engine.attention import Attention
from app.explain.engine.backprop import Backprop
from app.explain.engine.batchnorm import BatchNormForward
from app.explain.engine.conv import ConvOutputSize
from app.explain.engine.conv_params import ConvParams
from app.explain.engine.matrix_chain import MatrixChain
from app.explain.engine.nan_puzzle import NanPuzzle
from app.explain.engine.network_trace import NetworkTrace
from app.explain.engine.norm_shapes import NormShapes
from app.explain.engine.optimizer import OptimizerStep
from app.explain.engine.pooling import PoolOutputSize
from app.explain.engine.receptive import ReceptiveField
from app.explain.engine.rnn import RnnParams

registry.register(ConvOutputSize())
registry.register(PoolOutputSize())
registry.register(ReceptiveField())
registry.register(ConvParams())
registry.register(NormShapes())
registry.register(NetworkTrace())
registry.register(Activation())
registry.register(OptimizerStep())
registry.register(Backprop())
registry.register(BatchNormForward())
registry.register(RnnParams())
registry.register(Attention())
registry.register(MatrixChain())
registry.register(NanPuzzle())

__all__ = ["registry"]
