package h265

func (d *Decoder) applySAO() {}
