"""Fake CUDA arrays for the CPU tests: they carry shapes, strides, dtypes and
made-up device pointers, so every check tk_kernel makes before it touches a
GPU can run without one (and without torch).

  CAI(shape, typestr, ptr, strides=...)      only __cuda_array_interface__ (v3)
  DL(shape, dtype, ptr, device=(2, 0), ...)  only __dlpack__/__dlpack_device__,
                                             capsules built with ctypes; counts
                                             exports and deleter calls
  fake_torch()                               a stand-in torch module (Tensor,
                                             dtypes, empty, current stream, and
                                             the stream objects of record_stream)

Pointers are small addresses no CUDA allocation ever has, so on a GPU machine
tk_kernel rejects them before any launch.
"""
import ctypes
import types
import weakref

# Separate 256 MiB windows, so a, b and c never overlap unless a test says so.
PA, PB, PC = 0x10000000, 0x20000000, 0x30000000

ITEMSIZE = {"<V2": 2, "<f4": 4, "<f2": 2, "<f8": 8, "|i1": 1, "<i4": 4}


def row_major(shape):
    strides, s = [], 1
    for n in reversed(shape):
        strides.append(s)
        s *= max(n, 1)
    return tuple(reversed(strides))


class CAI:
    """An object with only __cuda_array_interface__; strides in elements."""

    def __init__(self, shape, typestr="<V2", ptr=PA, strides=None, readonly=False, **extra):
        item = ITEMSIZE.get(typestr, 2)
        self.__cuda_array_interface__ = {
            "shape": tuple(shape),
            "typestr": typestr,
            "data": (ptr, readonly),
            "version": 3,
            "strides": None if strides is None else tuple(s * item for s in strides),
        }
        self.__cuda_array_interface__.update(extra)


def bf16(shape, ptr=PA, **kw):
    return CAI(shape, "<V2", ptr, **kw)


def f32(shape, ptr=PC, **kw):
    return CAI(shape, "<f4", ptr, **kw)


# ---- DLPack, through ctypes --------------------------------------------------


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", DELETER)]


_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_NAMES = {b"dltensor": b"dltensor", b"bogus": b"bogus"}  # kept alive: capsules point at them

DTYPES = {"bf16": (4, 16), "f32": (2, 32), "f16": (2, 16), "i8": (0, 8)}

_live = {}  # address of a DLManagedTensor → (owner, its ctypes objects)


@DELETER
def _deleter(address):
    owner, _keep = _live.pop(address)
    owner.deleted += 1


class DL:
    """An object with only __dlpack__ and __dlpack_device__."""

    def __init__(self, shape, dtype="bf16", ptr=PA, device=(2, 0), strides=None,
                 byte_offset=0, capsule_name=b"dltensor", raise_on_export=None):
        self.shape, self.dtype, self.ptr, self.device = tuple(shape), dtype, ptr, device
        self.strides, self.byte_offset = strides, byte_offset
        self.capsule_name, self.raise_on_export = capsule_name, raise_on_export
        self.exported = self.deleted = 0
        self.streams = []  # the stream= of every __dlpack__ call

    def __dlpack_device__(self):
        return self.device

    def __dlpack__(self, stream=None):
        self.streams.append(stream)
        if self.raise_on_export:
            raise self.raise_on_export
        n = len(self.shape)
        shape = (ctypes.c_int64 * n)(*self.shape)
        strides = (ctypes.c_int64 * n)(*self.strides) if self.strides is not None else None
        code, bits = DTYPES[self.dtype]
        t = DLManagedTensor()
        t.dl_tensor.data = self.ptr
        t.dl_tensor.device = DLDevice(*self.device)
        t.dl_tensor.ndim = n
        t.dl_tensor.dtype = DLDataType(code, bits, 1)
        t.dl_tensor.shape = shape
        if strides is not None:
            t.dl_tensor.strides = strides
        t.dl_tensor.byte_offset = self.byte_offset
        t.deleter = _deleter
        address = ctypes.addressof(t)
        _live[address] = (self, (t, shape, strides))
        self.exported += 1
        return _capsule_new(address, _NAMES[self.capsule_name], None)


def live_dlpack_tensors():
    return len(_live)


# ---- a stand-in torch module ------------------------------------------------


def fake_torch():
    """A module with what tk_kernel reads from torch: Tensor (with
    record_stream), bfloat16, float32, uint8, strided, empty,
    _C._cuda_getCurrentRawStream (the current stream on device i is 0x5000 + i),
    cuda.ExternalStream and cuda.default_stream. Calls are logged in
    torch.calls; torch.allocated holds a weak reference to each tensor empty()
    made (so a test sees which ones are still alive); torch.next_ptr is the
    address the next tensor gets (512-byte aligned, as PyTorch's caching
    allocator's); torch.empty_error, when set, is raised by empty()."""
    torch = types.ModuleType("torch")

    class DType:
        def __init__(self, name, itemsize):
            self.name, self.itemsize = name, itemsize

        def __str__(self):
            return "torch." + self.name

    class Device:
        def __init__(self, type_, index=None):
            self.type, self.index = type_, index

    class Layout:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return "torch." + self.name

    torch.bfloat16, torch.float32 = DType("bfloat16", 2), DType("float32", 4)
    torch.float16, torch.uint8 = DType("float16", 2), DType("uint8", 1)
    torch.strided, torch.sparse_coo = Layout("strided"), Layout("sparse_coo")
    torch.calls = []
    torch.next_ptr = [0x40000000]
    torch.allocated = []
    torch.empty_error = None

    class Tensor:
        def __init__(self, shape, dtype, device="cuda:0", ptr=None, strides=None,
                     layout=None, neg=False):
            kind, _, index = device.partition(":")
            self.device = Device(kind, int(index) if index else None)
            self.is_cuda = kind == "cuda"
            self.dtype, self.shape = dtype, tuple(shape)
            self._strides = tuple(strides) if strides is not None else row_major(shape)
            if ptr is None:
                ptr = torch.next_ptr[0]
                torch.next_ptr[0] += 0x1000000
            self._ptr, self.layout, self._neg = ptr, layout or torch.strided, neg

        def data_ptr(self):
            return self._ptr

        def stride(self):
            return self._strides

        def is_neg(self):
            return self._neg

        def record_stream(self, stream):
            torch.calls.append(("record_stream", stream.cuda_stream))

    def as_device(device):  # a torch.device or "cuda:1"
        if isinstance(device, str):
            kind, _, index = device.partition(":")
            return Device(kind, int(index) if index else None)
        return device

    def empty(size, dtype=None, device=None):
        device = as_device(device)
        torch.calls.append(("empty", tuple(size), dtype, device))
        if torch.empty_error is not None:
            raise torch.empty_error
        dev = "cuda" if device.index is None else f"cuda:{device.index}"
        t = Tensor(size, dtype, dev)
        torch.allocated.append(weakref.ref(t))
        return t

    def raw_stream(index):
        torch.calls.append(("stream", index))
        return 0x5000 + index

    class ExternalStream:
        def __init__(self, stream_ptr, device=None):
            self.cuda_stream, self.device = stream_ptr, as_device(device)
            torch.calls.append(("ExternalStream", stream_ptr, self.device.index))

    def default_stream(device=None):
        device = as_device(device)
        torch.calls.append(("default_stream", device.index))
        return types.SimpleNamespace(cuda_stream=0, device=device)

    torch.Tensor, torch.empty = Tensor, empty
    torch._C = types.SimpleNamespace(_cuda_getCurrentRawStream=raw_stream)
    torch.cuda = types.SimpleNamespace(ExternalStream=ExternalStream, default_stream=default_stream)
    return torch
