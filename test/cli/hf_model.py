"""The transformers side of the folder-convert tests (test/cli/convert-dir.test.ts), run with the
torch 2.13 venv's python (TORCHWARD_TORCH2_PYTHON).

  make OUT       writes a tiny GPT-2 (tied lm_head / wte) as a sharded pytorch_model-*.bin
                 checkpoint with its index, the way transformers 4.x save_pretrained(
                 safe_serialization=False, max_shard_size=...) laid it out; prints the logits
  load DIR...    from_pretrained(DIR) for each folder; prints the logits and whether the
                 lm_head and the embedding are tied
"""
import json
import os
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

IDS = torch.tensor([[1, 2, 3, 4, 5]])


def make(out):
    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_head=2, n_embd=32, vocab_size=100, n_positions=64,
                        bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config).eval()
    model.config.save_pretrained(out)
    sd = model.state_dict()
    # transformers 5 writes only safetensors, so the shards are cut as 4.x's shard_checkpoint did:
    # in state-dict order, a new shard when the next tensor would pass the limit, and a tensor that
    # shares storage with an earlier one in that one's shard (torch.save then keeps them tied).
    limit, shards, size, owner = 20000, [{}], 0, {}
    for key, value in sd.items():
        ptr = value.untyped_storage().data_ptr()
        if ptr in owner:
            shards[owner[ptr]][key] = value
            continue
        n = value.numel() * value.element_size()
        if shards[-1] and size + n > limit:
            shards.append({})
            size = 0
        shards[-1][key] = value
        size += n
        owner[ptr] = len(shards) - 1
    weight_map = {}
    for i, shard in enumerate(shards):
        name = f'pytorch_model-{i + 1:05d}-of-{len(shards):05d}.bin'
        torch.save(shard, os.path.join(out, name))
        weight_map.update({key: name for key in shard})
    total = sum(v.numel() * v.element_size() for v in sd.values())
    with open(os.path.join(out, 'pytorch_model.bin.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)
    with torch.no_grad():
        logits = model(IDS).logits
    print(json.dumps({'logits': logits.flatten().tolist(), 'shards': len(shards)}))


def load(folders):
    out = {}
    for folder in folders:
        model = GPT2LMHeadModel.from_pretrained(folder).eval()
        with torch.no_grad():
            logits = model(IDS).logits
        tied = model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
        out[folder] = {'logits': logits.flatten().tolist(), 'tied': tied}
    print(json.dumps(out))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    else:
        load(sys.argv[2:])
