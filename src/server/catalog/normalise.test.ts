import { describe, expect, it } from 'vitest';
import {
  buildDetail,
  hfFiles,
  isoTime,
  msFiles,
  msSearchList,
  normaliseHfItem,
  normaliseMsItem,
  totalSize,
  unwrapData,
} from './normalise.js';
import { weightsBytes } from './service.js';

// Shapes captured from the hubs' public APIs (values shortened).
const HF_LIST_ITEM = {
  _id: '66e81cefd1b1391042d0e47e',
  id: 'Qwen/Qwen2.5-7B-Instruct',
  likes: 812,
  trendingScore: 20,
  private: false,
  downloads: 1234567,
  tags: ['transformers', 'safetensors', 'qwen2', 'text-generation', 'conversational', 'license:apache-2.0'],
  pipeline_tag: 'text-generation',
  library_name: 'transformers',
  createdAt: '2024-09-16T11:55:40.000Z',
  modelId: 'Qwen/Qwen2.5-7B-Instruct',
};
const HF_EXPANDED_ITEM = {
  ...HF_LIST_ITEM,
  author: 'Qwen',
  lastModified: '2025-01-12T02:10:18.000Z',
  usedStorage: 15231283744,
};
const HF_INFO = {
  _id: '66e81cefd1b1391042d0e47e',
  id: 'Qwen/Qwen2.5-0.5B',
  author: 'Qwen',
  sha: '060db6499f32faf8b98477b0a26969ef7d8b9987',
  lastModified: '2024-09-25T12:32:56.000Z',
  private: false,
  disabled: false,
  gated: false,
  pipeline_tag: 'text-generation',
  tags: ['safetensors', 'qwen2', 'text-generation'],
  downloads: 500,
  library_name: 'transformers',
  likes: 200,
  siblings: [
    { rfilename: '.gitattributes', blobId: 'a6344aac8c09253b3b630fb776ae94478aa0275b', size: 1519 },
    { rfilename: 'config.json', blobId: 'b1', size: 681 },
    {
      rfilename: 'model.safetensors',
      blobId: 'fdf756fa7fcbe7404d5c60e26bff1a0c8b8aa1f72ced49e7dd0210fe288fb7fe',
      size: 988097824,
      lfs: { sha256: 'fdf756fa', size: 988097824, pointerSize: 135 },
    },
  ],
};
const HF_TREE = [
  { type: 'directory', oid: 'abc', size: 0, path: 'onnx' },
  { type: 'file', oid: 'a63', size: 1519, path: '.gitattributes' },
  {
    type: 'file',
    oid: 'x',
    size: 135,
    path: 'model.safetensors',
    lfs: { oid: 'fdf7', size: 988097824, pointerSize: 135 },
  },
];
const MS_OPENAPI_LIST = {
  success: true,
  request_id: 'r1',
  data: {
    total_count: 2,
    page_number: 1,
    page_size: 20,
    models: [
      {
        id: 'iic/SenseVoiceSmall',
        display_name: 'SenseVoiceSmall',
        downloads: 25000000,
        likes: 800,
        last_modified: '2026-05-15T01:09:19Z',
        created_at: '2024-07-01T00:00:00Z',
        license: 'Apache License 2.0',
        tasks: ['auto-speech-recognition'],
        file_size: 936000000,
      },
      {
        id: 'Qwen/Qwen2.5-7B-Instruct',
        downloads: 900000,
        likes: 300,
        last_modified: 1726645398,
        tasks: ['text-generation'],
      },
    ],
  },
};
const MS_CONSOLE_MODEL = {
  Id: 123,
  Name: 'Qwen2.5-7B-Instruct',
  Path: 'Qwen',
  ChineseName: '通义千问2.5-7B-Instruct',
  Downloads: 900000,
  Stars: 300,
  Tasks: [{ Name: 'text-generation', ChineseName: '文本生成' }],
  LastUpdatedTime: 1726645398,
  StorageSize: 15231283744,
};
const MS_FILES = {
  Code: 200,
  Data: {
    Files: [
      {
        CommitMessage: 'upload',
        CommittedDate: 1726645398,
        IsLFS: false,
        Mode: '33188',
        Name: 'config.json',
        Path: 'config.json',
        Sha256: 'a',
        Size: 659,
        Type: 'blob',
      },
      { Name: 'onnx', Path: 'onnx', Type: 'tree', Size: 0 },
      {
        Name: 'model-00001-of-00002.safetensors',
        Path: 'model-00001-of-00002.safetensors',
        Sha256: 'b',
        Size: 3945441440,
        Type: 'blob',
        IsLFS: true,
      },
    ],
  },
  Message: 'success',
  RequestId: 'r',
  Success: true,
};

describe('Hugging Face normalisers', () => {
  it('list items: id, author, task, downloads, likes, updated_at, tags, library; size when expanded', () => {
    expect(normaliseHfItem(HF_LIST_ITEM)).toEqual({
      id: 'Qwen/Qwen2.5-7B-Instruct',
      source: 'huggingface',
      name: 'Qwen2.5-7B-Instruct',
      author: 'Qwen',
      task: 'text-generation',
      size: null,
      downloads: 1234567,
      likes: 812,
      updated_at: '2024-09-16T11:55:40.000Z',
      tags: HF_LIST_ITEM.tags,
      library: 'transformers',
    });
    expect(normaliseHfItem(HF_EXPANDED_ITEM)).toMatchObject({
      size: 15231283744,
      updated_at: '2025-01-12T02:10:18.000Z',
    });
    expect(normaliseHfItem({ modelId: 'gpt2', downloads: 1 })).toMatchObject({
      id: 'gpt2',
      author: null,
      name: 'gpt2',
    });
    expect(normaliseHfItem({ downloads: 1 })).toBeUndefined();
    expect(normaliseHfItem('nope')).toBeUndefined();
  });
  it('files from siblings (blobs=true) and from the tree; lfs sizes win over pointer sizes', () => {
    expect(hfFiles(HF_INFO)).toEqual([
      { path: '.gitattributes', size: 1519 },
      { path: 'config.json', size: 681 },
      { path: 'model.safetensors', size: 988097824 },
    ]);
    expect(hfFiles(HF_TREE)).toEqual([
      { path: '.gitattributes', size: 1519 },
      { path: 'model.safetensors', size: 988097824 },
    ]);
    expect(hfFiles({ siblings: [{ rfilename: 'a' }] })).toEqual([{ path: 'a', size: null }]);
    const item = normaliseHfItem(HF_INFO);
    if (!item) throw new Error('no item');
    const d = buildDetail(item, hfFiles(HF_INFO), { revision: 'main', sha: 'x', gated: false });
    expect(d.total_size).toBe(1519 + 681 + 988097824);
    expect(d.size).toBe(d.total_size);
  });
});

describe('ModelScope normalisers', () => {
  it('OpenAPI list envelope and items', () => {
    const { items, total } = msSearchList(MS_OPENAPI_LIST);
    expect(total).toBe(2);
    expect(items.map(normaliseMsItem)).toEqual([
      {
        id: 'iic/SenseVoiceSmall',
        source: 'modelscope',
        name: 'SenseVoiceSmall',
        author: 'iic',
        task: 'auto-speech-recognition',
        size: 936000000,
        downloads: 25000000,
        likes: 800,
        updated_at: '2026-05-15T01:09:19.000Z',
        tags: [],
        library: null,
      },
      expect.objectContaining({
        id: 'Qwen/Qwen2.5-7B-Instruct',
        updated_at: '2024-09-18T07:43:18.000Z',
        size: null,
      }),
    ]);
  });
  it('console-style models and envelopes', () => {
    expect(normaliseMsItem(unwrapData({ Code: 200, Data: MS_CONSOLE_MODEL, Success: true }))).toMatchObject({
      id: 'Qwen/Qwen2.5-7B-Instruct',
      task: 'text-generation',
      downloads: 900000,
      likes: 300,
      size: 15231283744,
      updated_at: '2024-09-18T07:43:18.000Z',
    });
    expect(
      msSearchList({ Code: 200, Data: { Model: { Models: [MS_CONSOLE_MODEL], TotalCount: 1 } } }).total,
    ).toBe(1);
    expect(msSearchList({ Data: { Models: [MS_CONSOLE_MODEL] } }).items).toHaveLength(1);
    expect(msSearchList(null)).toEqual({ items: [], total: null });
  });
  it('files skip directories', () => {
    expect(msFiles(MS_FILES)).toEqual([
      { path: 'config.json', size: 659 },
      { path: 'model-00001-of-00002.safetensors', size: 3945441440 },
    ]);
    expect(msFiles({})).toEqual([]);
  });
});

describe('helpers', () => {
  it('isoTime accepts ISO strings, epoch seconds and milliseconds', () => {
    expect(isoTime(1726645398)).toBe('2024-09-18T07:43:18.000Z');
    expect(isoTime(1726645398000)).toBe('2024-09-18T07:43:18.000Z');
    expect(isoTime('1726645398')).toBe('2024-09-18T07:43:18.000Z');
    expect(isoTime('garbage')).toBeNull();
    expect(isoTime(0)).toBeNull();
  });
  it('totalSize is null when a size is unknown', () => {
    expect(totalSize([{ size: 1 }, { size: null }])).toBeNull();
    expect(totalSize([])).toBeNull();
  });
  it('weightsBytes counts weight files; one GGUF quantisation', () => {
    expect(
      weightsBytes([
        { path: 'config.json', size: 1 },
        { path: 'a.safetensors', size: 10 },
        { path: 'b.safetensors', size: 5 },
      ]),
    ).toBe(15);
    expect(
      weightsBytes([
        { path: 'q4.gguf', size: 10 },
        { path: 'q8.gguf', size: 20 },
      ]),
    ).toBe(20);
    expect(weightsBytes([{ path: 'a.safetensors', size: null }])).toBeUndefined();
    expect(weightsBytes([{ path: 'README.md', size: 1 }])).toBeUndefined();
  });
});
