"""Sentiment analysis on SST-2 with pretrained GloVe, as the classic torchtext tutorials taught it.

Written for torchtext 0.18: a vocabulary built from an iterator with specials, unknown words
mapped to "<unk>", GloVe rows copied into the embedding layer, a bag-of-words model trained a
few epochs. ``SST2_DIR`` names the folder holding GLUE's ``train.tsv`` and ``dev.tsv``.
"""

import csv
import os
import random
from itertools import islice

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader
from torchtext.data.utils import get_tokenizer
from torchtext.vocab import GloVe, build_vocab_from_iterator

SEED = 1234
random.seed(SEED)
torch.manual_seed(SEED)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def read_sst2(path, limit):
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        text_column = "sentence" if "sentence" in rows.fieldnames else "content"  # dev: content
        return [(int(row["label"]), row[text_column]) for row in islice(rows, limit)]


train_data = read_sst2(os.path.join(os.environ["SST2_DIR"], "train.tsv"), 600)
valid_data = read_sst2(os.path.join(os.environ["SST2_DIR"], "dev.tsv"), 200)

tokenizer = get_tokenizer("basic_english")


def yield_tokens(data):
    for _, text in data:
        yield tokenizer(text)


vocab = build_vocab_from_iterator(yield_tokens(train_data), min_freq=1, specials=["<unk>", "<pad>"])
vocab.set_default_index(vocab["<unk>"])
UNK_IDX, PAD_IDX = vocab["<unk>"], vocab["<pad>"]
print(f"Unique tokens in vocabulary: {len(vocab)}")
print(vocab.get_itos()[:10])

glove = GloVe(name="6B", dim=50)
pretrained_embeddings = glove.get_vecs_by_tokens(vocab.get_itos())
unk_tokens = [token for token in vocab.get_itos() if token not in glove.stoi]
print(f"{len(unk_tokens)} tokens without a GloVe vector, e.g. {unk_tokens[:5]}")


def collate_batch(batch):
    labels = torch.tensor([label for label, _ in batch], dtype=torch.long)
    ids = [torch.tensor(vocab(tokenizer(text)), dtype=torch.long) for _, text in batch]
    ids = pad_sequence(ids, batch_first=True, padding_value=PAD_IDX)
    return ids.to(device), labels.to(device)


class NBoW(nn.Module):
    def __init__(self, embeddings, output_dim, pad_index):
        super().__init__()
        self.embedding = nn.Embedding.from_pretrained(
            embeddings.clone(), freeze=False, padding_idx=pad_index
        )
        self.fc = nn.Linear(embeddings.shape[1], output_dim)

    def forward(self, ids):
        embedded = self.embedding(ids)
        pooled = embedded.mean(dim=1)
        return self.fc(pooled)


model = NBoW(pretrained_embeddings, 2, PAD_IDX).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
train_loader = DataLoader(train_data, batch_size=32, shuffle=True, collate_fn=collate_batch)
valid_loader = DataLoader(valid_data, batch_size=64, collate_fn=collate_batch)


def evaluate(loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for ids, labels in loader:
            correct += (model(ids).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    return correct / total


losses = []
for epoch in range(6):
    model.train()
    epoch_loss = 0.0
    for ids, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(ids), labels)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(labels)
    losses.append(epoch_loss / len(train_data))
    print(f"epoch {epoch + 1}: train loss {losses[-1]:.3f}")

train_acc = evaluate(DataLoader(train_data, batch_size=64, collate_fn=collate_batch))
valid_acc = evaluate(valid_loader)
print(f"train accuracy {train_acc:.3f}, valid accuracy {valid_acc:.3f}")
