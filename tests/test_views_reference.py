"""The reference's view geometry against hand-worked cases (ATen's computeStride and friends)."""

from __future__ import annotations

import pytest
import tensorcts.reference as R
from tensorcts.reference.views import compute_stride, infer_size, is_contiguous

# (old shape, old strides, new shape, expected strides or None), each worked by hand
COMPUTE_STRIDE = [
    # 0-d: any all-ones shape, strides 1
    ((), (), (), ()),
    ((), (), (1, 1), (1, 1)),
    # contiguous: any regrouping works
    ((2, 3), (3, 1), (6,), (1,)),
    ((2, 3), (3, 1), (3, 2), (2, 1)),
    ((2, 3, 4), (12, 4, 1), (6, 4), (4, 1)),
    # transposed (3, 2) with strides (1, 3): two chunks, 3 of stride 1 and 2 of stride 3
    ((3, 2), (1, 3), (6,), None),
    ((3, 2), (1, 3), (3, 2, 1), (1, 3, 3)),
    ((3, 2), (1, 3), (3, 1, 2), (1, 6, 3)),  # a size-1 dim takes the running stride of its group
    ((3, 2), (1, 3), (1, 3, 2), (3, 1, 3)),
    # arange(12).view(3, 4)[:, :2]: chunks of 3 (stride 4) and 2 (stride 1)
    ((3, 2), (4, 1), (6,), None),
    ((3, 2), (4, 1), (3, 2, 1), (4, 1, 1)),
    # arange(12).view(3, 4)[:, ::2]: stride 4 == 2 * 2, one chunk
    ((3, 2), (4, 2), (6,), (2,)),
    ((3, 2), (4, 2), (2, 3), (6, 2)),
    # arange(24).view(2, 3, 4).transpose(0, 1): chunks 3 | 2 | 4
    ((3, 2, 4), (4, 12, 1), (3, 8), None),
    ((3, 2, 4), (4, 12, 1), (3, 2, 2, 2), (4, 12, 2, 1)),
    ((3, 2, 4), (4, 12, 1), (3, 2, 4, 1), (4, 12, 1, 1)),
    # size-1 dimensions never break a chunk, whatever their stride
    ((2, 1, 3), (3, 99, 1), (6,), (1,)),
    ((2, 1, 3), (3, 99, 1), (2, 3), (3, 1)),
    # expanded (stride 0): a chunk of its own unless merged with a stride-0 neighbour
    ((2, 3), (0, 1), (6,), None),
    ((2, 3), (0, 1), (2, 3, 1), (0, 1, 1)),
    ((2, 3), (0, 0), (6,), (0,)),
    # no elements: same shape keeps the strides, another gets row-major strides (sizes 0 as 1)
    ((0, 3), (7, 2), (0, 3), (7, 2)),
    ((0, 3), (7, 2), (3, 0), (1, 1)),
    ((2, 0), (5, 5), (0,), (1,)),
]


@pytest.mark.parametrize("old_shape, old_strides, new_shape, expected", COMPUTE_STRIDE)
def test_compute_stride_hand_cases(old_shape, old_strides, new_shape, expected):
    assert compute_stride(old_shape, old_strides, new_shape) == expected


def test_compute_stride_hand_cases_agree_with_torch():
    torch = pytest.importorskip("torch")
    for old_shape, old_strides, new_shape, expected in COMPUTE_STRIDE:
        t = torch.zeros(64).as_strided(old_shape, old_strides)
        try:
            got = tuple(t.view(new_shape).stride())
        except RuntimeError:
            got = None
        assert got == expected, (old_shape, old_strides, new_shape)


def test_view_keeps_offset_and_shares_storage():
    x = R.arange(12).view(3, 4)[1:, 1:3]
    v = x.view(2, 2, 1)
    assert v.storage_offset() == x.storage_offset() == 5
    assert v.stride() == (4, 1, 1)
    v.fill_(-1)
    assert R.arange(12).view(3, 4).tolist() != x._base.tolist()  # the base changed
    assert x.tolist() == [[-1, -1], [-1, -1]]


@pytest.mark.parametrize("shape, numel, expected", [
    ((3, -1), 6, (3, 2)), ((-1,), 0, (0,)), ((2, 3), 6, (2, 3)),
])
def test_infer_size(shape, numel, expected):
    assert infer_size(shape, numel) == expected


@pytest.mark.parametrize("shape, numel", [((-1, -1), 6), ((-2, 3), 6), ((4, -1), 6), ((0, -1), 0), ((7,), 6),
                                          ((0, -1), 6)])
def test_infer_size_errors(shape, numel):
    with pytest.raises(RuntimeError):
        infer_size(shape, numel)


def test_expand_geometry():
    assert R.zeros(3, 1).expand(2, 1, 3, 5).stride() == (0, 3, 1, 0)
    assert R.zeros(3, 1).expand(1, 3, 1).stride() == (3, 1, 1)
    assert R.zeros(()).expand(1).stride() == (0,)
    assert R.zeros(()).expand(2, 1).stride() == (0, 0)
    assert R.zeros(1).expand(1, 0).stride() == (0, 0)
    assert R.zeros(2, 3).expand(-1, 3).stride() == (3, 1)
    with pytest.raises(RuntimeError):
        R.zeros(2, 3).expand(-1, 3, 3)
    with pytest.raises(RuntimeError):
        R.zeros(2, 3).expand(3)


def test_indexing_geometry():
    x = R.arange(24).view(2, 3, 4)
    assert x[None].stride() == (24, 12, 4, 1)
    assert x[:, None].stride() == (12, 12, 4, 1)
    assert x[..., None].stride() == (12, 4, 1, 1)
    assert (x[1:, ::2].stride(), x[1:, ::2].storage_offset()) == ((12, 8, 1), 12)
    assert (x[5:].shape, x[5:].storage_offset()) == ((0, 3, 4), 24)
    assert x[:, 7:].storage_offset() == 12


def test_is_contiguous():
    assert is_contiguous(R.zeros(2, 3))
    assert not is_contiguous(R.zeros(2, 3).t())
    assert is_contiguous(R.zeros(3, 1).t())  # size-1 dimensions are ignored
    assert is_contiguous(R.zeros(0, 3).t())  # no elements
    assert not is_contiguous(R.zeros(2, 1).expand(2, 3))


def test_contiguous_and_reshape_copy_only_when_needed():
    x = R.arange(6).view(2, 3)
    assert x.contiguous() is x
    c = x.t().contiguous()
    assert c.stride() == (2, 1) and c.tolist() == [[0, 3], [1, 4], [2, 5]]
    r = x.t().reshape(6)
    assert r.tolist() == [0, 3, 1, 4, 2, 5]
    r.fill_(0)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]  # a copy
    x.reshape(3, 2).fill_(9)
    assert x.tolist() == [[9, 9, 9], [9, 9, 9]]  # a view


def test_advanced_indexing_copies_and_setitem_writes():
    x = R.arange(12).view(3, 4)
    assert x[[2, 0]].tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]]
    assert x[:, R.tensor([True, False, False, True])].tolist() == [[0, 3], [4, 7], [8, 11]]
    picked = x[[1]]
    x.fill_(0)
    assert picked.tolist() == [[4, 5, 6, 7]]
    x[:, [1, 3]] = 5
    assert x.tolist() == [[0, 5, 0, 5]] * 3
    with pytest.raises(IndexError):
        x[[3]]
    with pytest.raises(ValueError):
        x[::-1]


def test_writes_bump_the_version_counter():
    x = R.zeros(3)
    before = x._storage.version
    x[1:].fill_(1.5)
    x.copy_(R.ones(3))
    x.zero_()
    assert x._storage.version == before + 3
