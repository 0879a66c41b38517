CREATE ({numbers: [1, 2, ALL
